import type { CfnElement } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { SES_IDENTITY_PLACEHOLDER } from '../../infra/constructs/careline-messaging.ts';
import { buildTestApp, permissionsOfRole, renderIntrinsic } from './careline-app.ts';

/** A policy statement as it stands in the template. */
interface StatementJson {
  Principal?: { Service?: string };
  Condition: Record<string, Record<string, unknown>>;
}

function synth(context: Record<string, unknown> = {}) {
  const { stack } = buildTestApp(context);
  const template = Template.fromStack(stack);
  const idOf = (construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
  /** The statements of a resource policy that let an AWS service principal in. */
  const serviceStatements = (document: { Statement: StatementJson[] }) =>
    document.Statement.filter((s) => s.Principal?.Service).map((s) => ({ service: s.Principal!.Service, statement: s }));
  return { stack, template, idOf, serviceStatements };
}

describe('topics', () => {
  const { stack, template, idOf, serviceStatements } = synth();
  const topics = () => template.findResources('AWS::SNS::Topic');
  const topicPolicyOf = (topicId: string) =>
    Object.values(template.findResources('AWS::SNS::TopicPolicy')).find((p) => renderIntrinsic(p.Properties.Topics[0]) === `<${topicId}>`)!.Properties.PolicyDocument;
  const keyId = idOf(stack.messaging.serviceTopicsKey);

  it('encrypts every topic and refuses publishing without TLS on each', () => {
    expect(Object.keys(topics())).toHaveLength(3);
    for (const [topicId, topic] of Object.entries(topics())) {
      expect(topic.Properties.KmsMasterKeyId).toBeDefined();
      expect(topicPolicyOf(topicId).Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('encrypts the topics AWS services publish to with a rotated key of its own, the email topic with SNS’s', () => {
    for (const topic of [stack.messaging.opsTopic, stack.messaging.inboundSmsTopic]) {
      expect(renderIntrinsic(topics()[idOf(topic)]?.Properties.KmsMasterKeyId)).toBe(`<${keyId}.Arn>`);
    }
    expect(renderIntrinsic(topics()[idOf(stack.messaging.emailTopic)]?.Properties.KmsMasterKeyId)).toMatch(/:alias\/aws\/sns$/);
    expect(template.findResources('AWS::KMS::Key')[keyId]?.Properties.EnableKeyRotation).toBe(true);
  });

  it('lets CloudWatch alarms publish to the ops topic and use its key', () => {
    const [publish, ...others] = serviceStatements(topicPolicyOf(idOf(stack.messaging.opsTopic)));
    expect(others).toEqual([]);
    expect(publish?.service).toBe('cloudwatch.amazonaws.com');
    expect(renderIntrinsic(publish?.statement.Condition.ArnLike?.['aws:SourceArn'])).toBe('arn:<AWS::Partition>:cloudwatch:<AWS::Region>:<AWS::AccountId>:alarm:*');
    const keyServices = serviceStatements(template.findResources('AWS::KMS::Key')[keyId]?.Properties.KeyPolicy).map((s) => s.service);
    expect(keyServices.sort()).toEqual(['cloudwatch.amazonaws.com', 'sms-voice.amazonaws.com']);
  });

  it('lets two-way SMS (sms-voice) of this account only publish to the inbound topic', () => {
    const [publish, ...others] = serviceStatements(topicPolicyOf(idOf(stack.messaging.inboundSmsTopic)));
    expect(others).toEqual([]);
    expect(publish?.service).toBe('sms-voice.amazonaws.com');
    expect(renderIntrinsic(publish?.statement.Condition.StringEquals?.['aws:SourceAccount'])).toBe('<AWS::AccountId>');
  });

  it('subscribes the ops email only when one is given', () => {
    expect(Object.keys(template.findResources('AWS::SNS::Subscription', { Properties: { Protocol: 'email' } }))).toHaveLength(0);
    const withEmail = synth({ opsAlertEmail: 'ops@shop.example' });
    withEmail.template.resourcePropertiesCountIs('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@shop.example', TopicArn: { Ref: withEmail.idOf(withEmail.stack.messaging.opsTopic) } }, 1);
  });

  it('outputs the three topic ARNs', () => {
    const outputs = template.findOutputs('*');
    expect(renderIntrinsic(outputs.EmailTopicArn?.Value)).toBe(`<${idOf(stack.messaging.emailTopic)}>`);
    expect(renderIntrinsic(outputs.InboundSmsTopicArn?.Value)).toBe(`<${idOf(stack.messaging.inboundSmsTopic)}>`);
    expect(renderIntrinsic(outputs.OpsAlertsTopicArn?.Value)).toBe(`<${idOf(stack.messaging.opsTopic)}>`);
  });
});

describe('mailer', () => {
  it.each([
    ['care@shop.example', 'care@shop.example'],
    ['shop.example', 'no-reply@shop.example'],
  ])('sends as the configured identity %s, and may send only as it', (identity, from) => {
    const { stack, template, idOf } = synth({ sesIdentity: identity });
    const mailer = template.findResources('AWS::Lambda::Function')[idOf(stack.messaging.mailer.fn)]!;
    expect(mailer.Properties.Environment.Variables.CARELINE_SES_FROM).toBe(from);
    const ses = permissionsOfRole(template, idOf(stack.messaging.mailer.role)).filter((p) => p.action.startsWith('ses:'));
    expect(ses).toEqual([{ action: 'ses:SendEmail', resource: `arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/${identity}` }]);
  });

  it('synthesizes without sesIdentity, with a sender SES refuses, and says so at synth', () => {
    const { stack, template, idOf } = synth();
    const mailer = template.findResources('AWS::Lambda::Function')[idOf(stack.messaging.mailer.fn)]!;
    expect(mailer.Properties.Environment.Variables.CARELINE_SES_FROM).toBe(`no-reply@${SES_IDENTITY_PLACEHOLDER}`);
    Annotations.fromStack(stack).hasInfo('/Careline/Messaging', Match.stringLikeRegexp('sesIdentity'));
    expect(Annotations.fromStack(synth({ sesIdentity: 'shop.example' }).stack).findInfo('*', Match.stringLikeRegexp('sesIdentity'))).toEqual([]);
  });

  it('touches nothing but SES, its logs and its dead-letter queue: no table, no topic, no bus', () => {
    const { stack, template, idOf } = synth({ sesIdentity: 'shop.example' });
    const services = permissionsOfRole(template, idOf(stack.messaging.mailer.role)).map((p) => p.action.split(':')[0]);
    expect([...new Set(services)].sort()).toEqual(['logs', 'ses', 'sqs', 'xray']);
  });
});

describe('SNS subscribers', () => {
  const { stack, template, idOf } = synth();

  it('subscribes the mailer to the email topic and the inbound-SMS function to the inbound topic', () => {
    const subscriptions = Object.values(template.findResources('AWS::SNS::Subscription', { Properties: { Protocol: 'lambda' } }));
    const pairs = subscriptions.map((s) => `${renderIntrinsic(s.Properties.TopicArn)} → ${renderIntrinsic(s.Properties.Endpoint)}`);
    expect(pairs.sort()).toEqual(
      [
        `<${idOf(stack.messaging.emailTopic)}> → <${idOf(stack.messaging.mailer.fn)}.Arn>`,
        `<${idOf(stack.messaging.inboundSmsTopic)}> → <${idOf(stack.messaging.inboundSms.fn)}.Arn>`,
      ].sort(),
    );
  });

  it('retries each failed delivery twice, then keeps it in the function’s own dead-letter queue', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    const invokeConfigs = Object.values(template.findResources('AWS::Lambda::EventInvokeConfig'));
    for (const [fn, dlq] of [
      [stack.messaging.mailer.fn, 'mailer'],
      [stack.messaging.inboundSms.fn, 'inbound-sms'],
    ] as const) {
      const queue = stack.messaging.deadLetterQueues.find((q) => q.name === dlq)!.queue;
      expect(renderIntrinsic(functions[idOf(fn)]?.Properties.DeadLetterConfig.TargetArn)).toBe(`<${idOf(queue)}.Arn>`);
      const config = invokeConfigs.find((c) => renderIntrinsic(c.Properties.FunctionName) === `<${idOf(fn)}>`);
      expect(config?.Properties.MaximumRetryAttempts).toBe(2);
    }
  });

  it('lets the inbound-SMS function read and write the table', () => {
    const permissions = permissionsOfRole(template, idOf(stack.messaging.inboundSms.role));
    expect(permissions).toContainEqual({ action: 'dynamodb:UpdateItem', resource: `<${idOf(stack.data.table)}.Arn>` });
  });
});
