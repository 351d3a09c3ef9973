import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { DeployContext } from '../deploy-context.ts';
import type { CarelineData } from './careline-data.ts';
import { CarelineFunction } from './careline-function.ts';
import type { CarelineMessaging } from './careline-messaging.ts';
import { deadLetterQueue } from './careline-queue.ts';

/** Lets a role publish to the ops-alerts topic (encrypted with a customer-managed key). */
export function grantOpsAlerts(opsTopic: ITopic, role: IRole): void {
  opsTopic.grantPublish(role);
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
    reason: 'CDK grants kms:GenerateDataKey* (the GenerateDataKey variants) with sns:Publish on a topic under a customer-managed key: SNS needs a data key to encrypt each alert. It is granted on that one key (the ops-alerts and inbound-SMS topics key) only.',
  });
}

export interface CarelineEngineProps {
  readonly data: CarelineData;
  readonly messaging: CarelineMessaging;
  readonly deployContext: DeployContext;
  /** Base URL of the HTTP API (for unsubscribe links). */
  readonly publicUrl: string;
  /** The unsubscribe signing secrets as a CloudFormation dynamic reference (never the value itself). */
  readonly unsubscribeSecrets: string;
}

/** The timer engine: an EventBridge rule runs the dispatcher every minute. */
export class CarelineEngine extends Construct {
  readonly dispatcher: CarelineFunction;
  readonly rule: Rule;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: CarelineEngineProps) {
    super(scope, id);
    const { data, messaging, deployContext } = props;

    this.dispatcher = new CarelineFunction(this, 'Dispatcher', {
      entry: 'functions/dispatcher/handler.ts',
      description: 'Runs due tasks every minute: reminders, parcel updates, message sends',
      data,
      // The dispatcher stops taking work 20 s before this. No reserved concurrency: two racing runs are safe.
      timeout: Duration.seconds(60),
      memorySize: 512,
      // A failed run is not retried: the next one starts within a minute and finds the same due tasks.
      retryAttempts: 0,
      environment: {
        CARELINE_CHANNEL: 'sns',
        CARELINE_EMAIL_TOPIC_ARN: messaging.emailTopic.topicArn,
        CARELINE_OPS_TOPIC_ARN: messaging.opsTopic.topicArn,
        CARELINE_PUBLIC_URL: props.publicUrl,
        CARELINE_UNSUBSCRIBE_SECRETS: props.unsubscribeSecrets,
        ...(deployContext.smsSenderId ? { CARELINE_SMS_SENDER_ID: deployContext.smsSenderId } : {}),
      },
    });
    data.grantTableReadWrite(this.dispatcher);
    // A stall check that finds a stalled parcel publishes order.shipment_stalled.
    data.bus.grantPutEventsTo(this.dispatcher.fn);
    messaging.emailTopic.grantPublish(this.dispatcher.role);
    grantOpsAlerts(messaging.opsTopic, this.dispatcher.role);
    // SMS to a phone number is a Publish with no topic; IAM sees the number itself as the resource
    // ("not authorized to perform SNS:Publish on resource: +44…"), which no ARN can name. Allowing
    // everything but SNS ARNs lets the dispatcher text any number without publishing to any other topic.
    const everySnsArn = Stack.of(this).formatArn({ service: 'sns', region: '*', account: '*', resource: '*' });
    this.dispatcher.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['sns:Publish'], notResources: [everySnsArn] }));

    this.deadLetterQueue = deadLetterQueue(this, 'RuleDlq', 'the dispatcher schedule');
    this.rule = new Rule(this, 'EveryMinute', {
      description: 'Runs the Careline dispatcher',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(this.dispatcher.fn, { retryAttempts: 2, maxEventAge: Duration.minutes(5), deadLetterQueue: this.deadLetterQueue })],
    });
  }
}
