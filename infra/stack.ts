import { CfnOutput, type RemovalPolicy, SecretValue, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { CarelineApi, WEBHOOK_PATH } from './constructs/careline-api.ts';
import { CarelineData } from './constructs/careline-data.ts';
import { CarelineAlarms } from './constructs/careline-alarms.ts';
import { CarelineDashboard } from './constructs/careline-dashboard.ts';
import { CarelineEngine } from './constructs/careline-engine.ts';
import { CarelineFunction } from './constructs/careline-function.ts';
import { CarelineMessaging } from './constructs/careline-messaging.ts';
import { OrderStreamPublisher } from './constructs/order-stream-publisher.ts';
import { type DeployContext, readDeployContext } from './deploy-context.ts';

export interface CarelineStackProps extends StackProps {
  /** RETAIN unless given: see CarelineDataProps. */
  readonly tableRemovalPolicy?: RemovalPolicy;
}

/**
 * All of Careline in one environment-agnostic stack: the stateful data construct, and the
 * stateless constructs that use it: the HTTP API with the webhook function, and the publisher
 * of domain events from the table stream.
 */
export class CarelineStack extends Stack {
  readonly deployContext: DeployContext;
  readonly data: CarelineData;
  readonly api: CarelineApi;
  readonly orderStream: OrderStreamPublisher;
  readonly messaging: CarelineMessaging;
  readonly engine: CarelineEngine;
  readonly unsubscribe: CarelineFunction;
  readonly alarms: CarelineAlarms;
  readonly dashboard: CarelineDashboard;

  constructor(scope: Construct, id: string, props: CarelineStackProps = {}) {
    super(scope, id, props);
    this.deployContext = readDeployContext(this);

    this.data = new CarelineData(this, 'Data', { tableRemovalPolicy: props.tableRemovalPolicy });
    this.api = new CarelineApi(this, 'Api', { data: this.data });
    this.messaging = new CarelineMessaging(this, 'Messaging', { data: this.data, deployContext: this.deployContext });
    this.orderStream = new OrderStreamPublisher(this, 'OrderStream', { data: this.data, opsTopic: this.messaging.opsTopic });

    // Signs email unsubscribe links. Not rotated automatically: links in sent emails must keep working.
    const unsubscribeSecret = new Secret(this, 'UnsubscribeSecret', {
      description: 'Signs Careline email unsubscribe links',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    Validations.of(unsubscribeSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Rotating this secret would break the unsubscribe links in emails already sent; it is rotated by hand by adding a second value (CARELINE_UNSUBSCRIBE_SECRETS takes several) and retiring the old one later.',
    });
    // A dynamic reference, resolved by CloudFormation at deploy time: the value is never in the template.
    const version = this.deployContext.unsubscribeSecretVersion;
    const unsubscribeSecrets = SecretValue.secretsManager(unsubscribeSecret.secretArn, version ? { versionId: version } : {}).unsafeUnwrap();
    this.engine = new CarelineEngine(this, 'Engine', {
      data: this.data,
      messaging: this.messaging,
      deployContext: this.deployContext,
      publicUrl: this.api.url,
      unsubscribeSecrets,
    });

    this.unsubscribe = new CarelineFunction(this, 'Unsubscribe', {
      entry: 'functions/unsubscribe/handler.ts',
      description: 'Email unsubscribe links: a confirmation page, and the one-click POST',
      data: this.data,
      environment: { CARELINE_UNSUBSCRIBE_SECRETS: unsubscribeSecrets },
    });
    this.data.grantTableReadWrite(this.unsubscribe);
    for (const method of [HttpMethod.GET, HttpMethod.POST]) {
      this.api.addPublicRoute(method, '/u/{token}', this.unsubscribe.fn, {
        authenticatedBy: 'the HMAC-signed token in the path, which names the one shop and customer it unsubscribes; anyone holding the link may only unsubscribe that customer.',
      });
    }

    const deadLetterQueues = [
      ...this.messaging.deadLetterQueues,
      { name: 'dispatcher-schedule', queue: this.engine.deadLetterQueue },
      { name: 'order-stream', queue: this.orderStream.failures },
    ];
    this.alarms = new CarelineAlarms(this, 'Alarms', {
      opsTopic: this.messaging.opsTopic,
      dispatcher: this.engine.dispatcher,
      httpApi: this.api.httpApi,
      deadLetterQueues,
    });
    this.dashboard = new CarelineDashboard(this, 'Dashboard', {
      httpApi: this.api.httpApi,
      webhook: this.api.webhook,
      functions: [
        { name: 'webhook', fn: this.api.webhook },
        { name: 'order-stream', fn: this.orderStream.publisher },
        { name: 'dispatcher', fn: this.engine.dispatcher },
        { name: 'mailer', fn: this.messaging.mailer },
        { name: 'inbound-sms', fn: this.messaging.inboundSms },
        { name: 'unsubscribe', fn: this.unsubscribe },
      ],
      deadLetterQueues,
      alarms: this.alarms.alarms,
    });

    new CfnOutput(this, 'TableName', { value: this.data.table.tableName, description: 'DynamoDB table (CARELINE_TABLE for the careline CLI)' });
    new CfnOutput(this, 'EventBusName', { value: this.data.bus.eventBusName, description: 'EventBridge bus receiving domain events (source "careline")' });
    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'EmailTopicArn', { value: this.messaging.emailTopic.topicArn, description: 'SNS topic the mailer sends emails from' });
    new CfnOutput(this, 'InboundSmsTopicArn', { value: this.messaging.inboundSmsTopic.topicArn, description: 'Point SNS two-way SMS (inbound messages) here' });
    new CfnOutput(this, 'OpsAlertsTopicArn', { value: this.messaging.opsTopic.topicArn, description: 'Operational alarms and dead-task alerts' });
    new CfnOutput(this, 'WebhookUrlTemplate', {
      value: `${this.api.url}${WEBHOOK_PATH.slice(1)}`,
      description: 'Webhook URL to give a platform, with {platform} and {shopId} filled in',
    });
  }
}
