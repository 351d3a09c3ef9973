import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { DeployContext } from '../deploy-context.ts';
import type { CarelineData } from './careline-data.ts';
import { CarelineFunction } from './careline-function.ts';
import type { CarelineMessaging } from './careline-messaging.ts';
import { deadLetterQueue } from './careline-queue.ts';

export interface CarelineEngineProps {
  readonly data: CarelineData;
  readonly messaging: CarelineMessaging;
  readonly deployContext: DeployContext;
  /** Base URL of the HTTP API (for unsubscribe links). */
  readonly publicUrl: string;
  readonly unsubscribeSecret: ISecret;
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
      // The dispatcher stops taking work 20 s before this.
      timeout: Duration.seconds(60),
      environment: {
        CARELINE_CHANNEL: 'sns',
        CARELINE_EMAIL_TOPIC_ARN: messaging.emailTopic.topicArn,
        CARELINE_OPS_TOPIC_ARN: messaging.opsTopic.topicArn,
        CARELINE_PUBLIC_URL: props.publicUrl,
        // A dynamic reference: CloudFormation resolves it at deploy time; the value is not in the template.
        CARELINE_UNSUBSCRIBE_SECRETS: props.unsubscribeSecret.secretValue.unsafeUnwrap(),
        ...(deployContext.smsSenderId ? { CARELINE_SMS_SENDER_ID: deployContext.smsSenderId } : {}),
      },
      unscopedActions: ['sns:Publish (to phone numbers)'],
    });
    data.grantTableReadWrite(this.dispatcher);
    messaging.emailTopic.grantPublish(this.dispatcher.role);
    messaging.opsTopic.grantPublish(this.dispatcher.role);
    // SMS to a phone number is a Publish with no topic: SNS gives it no resource ARN to scope to.
    this.dispatcher.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: ['*'] }));

    this.deadLetterQueue = deadLetterQueue(this, 'RuleDlq', 'the dispatcher schedule');
    this.rule = new Rule(this, 'EveryMinute', {
      description: 'Runs the Careline dispatcher',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(this.dispatcher.fn, { retryAttempts: 2, maxEventAge: Duration.minutes(5), deadLetterQueue: this.deadLetterQueue })],
    });
  }
}
