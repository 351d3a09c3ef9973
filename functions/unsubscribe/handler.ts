import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { confirmPage, donePage, invalidPage } from '../../shared/optout/unsubscribe-page.ts';
import { verifyUnsubscribeToken } from '../../shared/optout/unsubscribe-token.ts';
import { unexpectedErrorsAsHttp500 } from '../middleware/http-errors.ts';
import { getRuntime, logger } from '../runtime.ts';

const html = (statusCode: number, body: string): APIGatewayProxyResultV2 => ({
  statusCode,
  headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
  body,
});

/** GET /u/{token}: a confirmation page. POST /u/{token}: unsubscribe (RFC 8058 one-click, or the page's button). */
async function unsubscribe(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> {
  const runtime = getRuntime();
  const secrets = (runtime.config.CARELINE_UNSUBSCRIBE_SECRETS ?? '').split(',').filter(Boolean);
  const claim = verifyUnsubscribeToken(event.pathParameters?.token ?? '', secrets);
  if (!claim) return html(404, invalidPage());
  if (event.requestContext.http.method !== 'POST') return html(200, confirmPage());
  await runtime.store.setEmailOptOut(claim.shopId, claim.customerId, true, runtime.clock.now(), 'email:link');
  logger.info('email unsubscribe', { shopId: claim.shopId });
  return html(200, donePage());
}

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>().use(unexpectedErrorsAsHttp500(logger)).handler(unsubscribe);
