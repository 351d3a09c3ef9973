import { Annotations, ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Alias, Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { DeployContext } from '../deploy-context.ts';
import type { CarelineData } from './careline-data.ts';
import { CarelineFunction } from './careline-function.ts';
import { deadLetterQueue } from './careline-queue.ts';

/** Stands in for `sesIdentity` when it is not set: a reserved domain (RFC 2606) no mail can be sent as. */
export const SES_IDENTITY_PLACEHOLDER = 'ses-identity-not-set.invalid';

export interface CarelineMessagingProps {
  readonly data: CarelineData;
  readonly deployContext: DeployContext;
}

/** SES sends from an address; a domain identity sends as no-reply@ that domain. */
function senderAddress(identity: string): string {
  return identity.includes('@') ? identity : `no-reply@${identity}`;
}

/**
 * The SNS topics messages and alerts travel on, and the functions at their far end: the mailer
 * (email topic → SES) and the inbound-SMS function (two-way SMS → opt-outs).
 */
export class CarelineMessaging extends Construct {
  readonly emailTopic: Topic;
  readonly inboundSmsTopic: Topic;
  readonly opsTopic: Topic;
  /** Encrypts the topics AWS services publish to: ops alerts (CloudWatch) and inbound SMS (sms-voice). */
  readonly serviceTopicsKey: Key;
  readonly mailer: CarelineFunction;
  readonly inboundSms: CarelineFunction;
  readonly deadLetterQueues: { name: string; queue: Queue }[] = [];

  constructor(scope: Construct, id: string, props: CarelineMessagingProps) {
    super(scope, id);
    const { data, deployContext } = props;
    const stack = Stack.of(this);

    // Only Careline's own functions publish emails: SNS's AWS-managed key serves them without key grants.
    this.emailTopic = new Topic(this, 'EmailTopic', { masterKey: Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'), enforceSSL: true, displayName: 'Careline emails' });

    // CloudWatch alarms and two-way SMS publish as AWS services, which the AWS-managed key's policy
    // (not editable) does not admit: alarm actions on such a topic fail. Hence a key of our own.
    this.serviceTopicsKey = new Key(this, 'ServiceTopicsKey', {
      description: 'Encrypts the Careline ops-alerts and inbound-SMS topics',
      enableKeyRotation: true,
      // It protects messages in flight only; nothing is left to decrypt once the stack is gone.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    // This account's SMS resources only (phone numbers, pools), as End User Messaging SMS documents it.
    const smsVoice = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'sms-voice', resource: '*' }) },
    };
    this.serviceTopicsKey.addToResourcePolicy(useKeyBy('cloudwatch.amazonaws.com', {}));
    this.serviceTopicsKey.addToResourcePolicy(useKeyBy('sms-voice.amazonaws.com', smsVoice));

    this.opsTopic = new Topic(this, 'OpsAlertsTopic', { masterKey: this.serviceTopicsKey, enforceSSL: true, displayName: 'Careline ops alerts' });
    // The stack's topic policy replaces SNS's default one, which is what let alarms publish.
    const alarms = stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    this.opsTopic.addToResourcePolicy(publishBy('cloudwatch.amazonaws.com', this.opsTopic, { ArnLike: { 'aws:SourceArn': alarms } }));
    if (deployContext.opsAlertEmail) this.opsTopic.addSubscription(new EmailSubscription(deployContext.opsAlertEmail));

    // AWS End User Messaging SMS (two-way SMS) publishes inbound messages here as sms-voice.amazonaws.com.
    this.inboundSmsTopic = new Topic(this, 'InboundSmsTopic', { masterKey: this.serviceTopicsKey, enforceSSL: true, displayName: 'Careline inbound SMS' });
    this.inboundSmsTopic.addToResourcePolicy(publishBy('sms-voice.amazonaws.com', this.inboundSmsTopic, smsVoice));

    if (!deployContext.sesIdentity) {
      Annotations.of(this).addInfoV2('careline:sesIdentityMissing', `No sesIdentity in the CDK context: the mailer sends as ${SES_IDENTITY_PLACEHOLDER}, which SES refuses. Deploy with -c sesIdentity=<verified domain or address> to send email.`);
    }
    const identity = deployContext.sesIdentity ?? SES_IDENTITY_PLACEHOLDER;
    const mailerDlq = deadLetterQueue(this, 'MailerDlq', 'the mailer function');
    this.mailer = new CarelineFunction(this, 'Mailer', {
      entry: 'functions/mailer/handler.ts',
      description: 'Delivers emails from the email topic through SES v2',
      data,
      timeout: Duration.seconds(30),
      environment: { CARELINE_SES_FROM: senderAddress(identity) },
      deadLetterQueue: mailerDlq,
    });
    this.mailer.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail'],
        // Scoped to the configured sender identity, not to every identity in the account.
        resources: [stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity })],
      }),
    );
    this.emailTopic.addSubscription(new LambdaSubscription(this.mailer.fn));
    this.deadLetterQueues.push({ name: 'mailer', queue: mailerDlq });

    const inboundDlq = deadLetterQueue(this, 'InboundSmsDlq', 'the inbound-SMS function');
    this.inboundSms = new CarelineFunction(this, 'InboundSms', {
      entry: 'functions/inbound-sms/handler.ts',
      description: 'Records SMS opt-outs (STOP, 退订, TD) and opt-ins (START) from inbound SMS',
      data,
      deadLetterQueue: inboundDlq,
    });
    data.grantTableReadWrite(this.inboundSms);
    this.inboundSmsTopic.addSubscription(new LambdaSubscription(this.inboundSms.fn));
    this.deadLetterQueues.push({ name: 'inbound-sms', queue: inboundDlq });
  }
}

type Conditions = Record<string, Record<string, string>>;

/** A key-policy statement letting an AWS service encrypt messages for the topics under the key. */
function useKeyBy(service: string, conditions: Conditions): PolicyStatement {
  return new PolicyStatement({ principals: [new ServicePrincipal(service)], actions: ['kms:GenerateDataKey*', 'kms:Decrypt'], resources: ['*'], conditions });
}

/** A topic-policy statement letting an AWS service publish to the topic, on the given conditions. */
function publishBy(service: string, topic: Topic, conditions: Conditions): PolicyStatement {
  return new PolicyStatement({ principals: [new ServicePrincipal(service)], actions: ['sns:Publish'], resources: [topic.topicArn], conditions });
}
