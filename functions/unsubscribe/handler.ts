import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import type { CarelineConfig } from '../../shared/config.ts';
import { confirmPage, donePage, invalidPage } from '../../shared/optout/unsubscribe-page.ts';
import { verifyUnsubscribeToken } from '../../shared/optout/unsubscribe-token.ts';
import { unexpectedErrorsAsHttp500 } from '../middleware/http-errors.ts';
import { getRuntime, logger } from '../runtime.ts';

/** The pages hold no external resource, so the policy can forbid everything but their inline style and the form post. */
const HTML_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

const html = (statusCode: number, body: string, extraHeaders: Record<string, string> = {}): APIGatewayProxyResultV2 => ({
  statusCode,
  headers: { ...HTML_HEADERS, ...extraHeaders },
  body,
});

/**
 * CARELINE_UNSUBSCRIBE_SECRETS, split once per configuration: the first signs (functions/engine.ts),
 * all verify. Entries are not trimmed, exactly as the signer reads them.
 */
const secretsByConfig = new WeakMap<CarelineConfig, string[]>();
function unsubscribeSecrets(config: CarelineConfig): string[] {
  let secrets = secretsByConfig.get(config);
  if (!secrets) {
    secrets = (config.CARELINE_UNSUBSCRIBE_SECRETS ?? '').split(',').filter((secret) => secret !== '');
    // Without a secret every link would look forged; that is a deployment fault, not the reader's.
    if (secrets.length === 0) throw new Error('CARELINE_UNSUBSCRIBE_SECRETS is not set');
    secretsByConfig.set(config, secrets);
  }
  return secrets;
}

/**
 * GET /u/{token}: a confirmation page only (link scanners prefetch GETs).
 * POST /u/{token}: unsubscribe — the RFC 8058 one-click POST (`List-Unsubscribe=One-Click`) or
 * the page's button, which posts the same body. The signed token is the authority, so the body
 * is not required: any POST with a valid token unsubscribes.
 */
async function unsubscribe(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> {
  const runtime = getRuntime();
  const method = event.requestContext.http.method.toUpperCase();
  const token = event.pathParameters?.token ?? '';
  const claim = verifyUnsubscribeToken(token, unsubscribeSecrets(runtime.config));
  if (!claim) {
    logger.info('unsubscribe link not valid', { method: method.slice(0, 10) });
    return html(404, invalidPage());
  }
  if (method === 'GET' || method === 'HEAD') return html(200, confirmPage({ token }));
  if (method !== 'POST') return html(405, invalidPage(), { allow: 'GET, POST' });

  await runtime.store.setEmailOptOut(claim.shopId, claim.customerId, true, runtime.clock.now(), 'email:link');
  logger.info('email unsubscribe', { shopId: claim.shopId });
  return html(200, donePage());
}

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
  .use(unexpectedErrorsAsHttp500(logger))
  .handler(unsubscribe);
