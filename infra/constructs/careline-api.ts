import { Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { CarelineData } from './careline-data.ts';
import { CarelineFunction } from './careline-function.ts';

/** Webhook path; platforms are given this URL with their name and the shop id filled in. */
export const WEBHOOK_PATH = '/webhooks/{platform}/{shopId}';

/**
 * Steady rate and burst the API accepts before answering 429: a storm is shed here, before it
 * reaches Lambda concurrency and the table. Well above normal webhook traffic, because platforms
 * retry a refused delivery only so often (some disable a webhook after repeated failures).
 */
const THROTTLE = { rateLimit: 100, burstLimit: 200 };

/**
 * One JSON line per request. No path or query: later routes carry customer link tokens
 * in the path, and the route key already says which route was hit.
 */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    sourceIp: '$context.identity.sourceIp',
    routeKey: '$context.routeKey',
    status: '$context.status',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationLatency: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
  }),
);

export interface CarelineApiProps {
  readonly data: CarelineData;
}

/** The public HTTP edge: an HTTP API, its logged and throttled default stage, and the functions behind its routes. */
export class CarelineApi extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly webhook: CarelineFunction;

  constructor(scope: Construct, id: string, props: CarelineApiProps) {
    super(scope, id);
    const { data } = props;

    // The default stage is built by hand below: HttpApi's own has no access log or throttle settings.
    this.httpApi = new HttpApi(this, 'HttpApi', {
      apiName: `careline-${Stack.of(this).stackName}`,
      description: 'Careline webhooks and customer links',
      createDefaultStage: false,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(new LogGroup(this, 'AccessLogs', { retention: RetentionDays.THREE_MONTHS })),
        format: ACCESS_LOG_FORMAT,
      },
    });

    this.webhook = new CarelineFunction(this, 'Webhook', {
      entry: 'functions/webhook/handler.ts',
      description: 'Receives platform order webhooks: verify, adapt, apply to the table',
      data,
    });
    // No bus access: domain events come from the table stream (OrderStreamPublisher), not from the webhook.
    data.grantTableReadWrite(this.webhook);

    this.addPublicRoute(HttpMethod.POST, WEBHOOK_PATH, this.webhook.fn, {
      authenticatedBy: 'the handler: each platform signs its webhooks with the shop secret (HMAC) and unsigned or mis-signed requests are refused; platforms cannot send IAM or JWT credentials.',
    });
  }

  /** Base URL of the API, ending in `/`. */
  get url(): string {
    return this.stage.url;
  }

  /**
   * Routes a request to a function with no API Gateway authorizer. Such a route must say
   * what authenticates its callers instead; that reason is what the cdk-nag acknowledgment records.
   */
  addPublicRoute(method: HttpMethod, path: string, handler: IFunction, access: { authenticatedBy: string }): void {
    const integration = new HttpLambdaIntegration(`${method}${path}Integration`, handler);
    for (const route of this.httpApi.addRoutes({ path, methods: [method], integration })) {
      Validations.of(route).acknowledge({ id: 'AwsSolutions-APIG4', reason: `Public route; callers are authenticated by ${access.authenticatedBy}` });
    }
  }
}
