import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one place where an unexpected error becomes an HTTP answer: a 500 with a generic message
 * (the platform will retry), and the details only in the log — never a stack trace on the wire.
 */
export function unexpectedErrorsAsHttp500(logger: Logger): MiddlewareObj<unknown, APIGatewayProxyResultV2> {
  return {
    onError: async (request) => {
      logger.error('unexpected error', { error: request.error as Error });
      request.response = {
        statusCode: 500,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ error: { code: 'internal', message: 'Careline could not process this request now; retry later.' } }),
      };
    },
  };
}
