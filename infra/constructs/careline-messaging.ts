import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Alias } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { DeployContext } from '../deploy-context.ts';
import type { CarelineData } from './careline-data.ts';
import { CarelineFunction } from './careline-function.ts';
import { deadLetterQueue } from './careline-queue.ts';

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
  readonly mailer: CarelineFunction;
  readonly inboundSms: CarelineFunction;
  readonly deadLetterQueues: { name: string; queue: Queue }[] = [];

  constructor(scope: Construct, id: string, props: CarelineMessagingProps) {
    super(scope, id);
    const { data, deployContext } = props;
    // SNS's AWS-managed key: encrypted at rest, usable by SNS and Lambda in this account without key grants.
    const snsKey = Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns');

    this.emailTopic = new Topic(this, 'EmailTopic', { masterKey: snsKey, enforceSSL: true, displayName: 'Careline emails' });
    this.opsTopic = new Topic(this, 'OpsAlertsTopic', { masterKey: snsKey, enforceSSL: true, displayName: 'Careline ops alerts' });
    if (deployContext.opsAlertEmail) this.opsTopic.addSubscription(new EmailSubscription(deployContext.opsAlertEmail));

    // Two-way SMS publishes inbound messages here. It cannot use SNS's AWS-managed key (no key
    // grants possible on it), so this topic is encrypted in transit only.
    this.inboundSmsTopic = new Topic(this, 'InboundSmsTopic', { enforceSSL: true, displayName: 'Careline inbound SMS' });
    this.inboundSmsTopic.grantPublish(new ServicePrincipal('sms-voice.amazonaws.com'));
    Validations.of(this.inboundSmsTopic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason: 'Inbound SMS is published by the AWS SMS service, which cannot use the AWS-managed SNS key; the messages hold only a keyword reply (STOP/退订) and are consumed at once.',
    });

    const identity = deployContext.sesIdentity ?? 'example.com';
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
        resources: [Stack.of(this).formatArn({ service: 'ses', resource: 'identity', resourceName: identity })],
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
