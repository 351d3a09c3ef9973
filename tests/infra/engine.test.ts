import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import type { CarelineStack } from '../../infra/stack.ts';
import { buildTestApp, permissionsOfRole, renderIntrinsic } from './careline-app.ts';

function synth(context: Record<string, unknown> = {}) {
  const { stack } = buildTestApp(context);
  return { stack, template: Template.fromStack(stack) };
}
const idOf = (stack: CarelineStack, construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);

describe('timer engine', () => {
  const { stack, template } = synth({ sesIdentity: 'care@shop.example', opsAlertEmail: 'ops@shop.example', smsSenderId: 'TeaHouse' });

  it('runs the dispatcher every minute, with a dead-letter queue for failed invocations', () => {
    const rules = template.findResources('AWS::Events::Rule', { Properties: { ScheduleExpression: 'rate(1 minute)' } });
    const [rule] = Object.values(rules);
    expect(Object.keys(rules)).toHaveLength(1);
    const target = rule!.Properties.Targets[0];
    expect(renderIntrinsic(target.Arn)).toBe(`<${idOf(stack, stack.engine.dispatcher.fn)}.Arn>`);
    expect(renderIntrinsic(target.DeadLetterConfig.Arn)).toBe(`<${idOf(stack, stack.engine.deadLetterQueue)}.Arn>`);
  });

  it('gives the dispatcher its topics, public URL, unsubscribe secret (by reference) and sender id', () => {
    const fn = template.findResources('AWS::Lambda::Function')[idOf(stack, stack.engine.dispatcher.fn)]!;
    const env = fn.Properties.Environment.Variables;
    expect(env).toMatchObject({ CARELINE_CHANNEL: 'sns', CARELINE_SMS_SENDER_ID: 'TeaHouse' });
    expect(renderIntrinsic(env.CARELINE_EMAIL_TOPIC_ARN)).toContain(idOf(stack, stack.messaging.emailTopic));
    expect(renderIntrinsic(env.CARELINE_OPS_TOPIC_ARN)).toContain(idOf(stack, stack.messaging.opsTopic));
    expect(JSON.stringify(env.CARELINE_UNSUBSCRIBE_SECRETS)).toContain('{{resolve:secretsmanager:');
    expect(fn.Properties.Timeout).toBe(60);
  });
});

describe('messaging', () => {
  it('encrypts the email and ops topics and refuses non-TLS publishing on every topic', () => {
    const { stack, template } = synth();
    for (const topic of [stack.messaging.emailTopic, stack.messaging.opsTopic]) {
      expect(template.findResources('AWS::SNS::Topic')[idOf(stack, topic)]?.Properties.KmsMasterKeyId).toBeDefined();
    }
    const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy'));
    expect(policies).toHaveLength(3);
    for (const policy of policies) {
      expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it.each([
    ['care@shop.example', 'care@shop.example', 'identity/care@shop.example'],
    ['shop.example', 'no-reply@shop.example', 'identity/shop.example'],
  ])('lets the mailer send only as the configured identity (%s)', (identity, from, arnSuffix) => {
    const { stack, template } = synth({ sesIdentity: identity });
    const mailer = template.findResources('AWS::Lambda::Function')[idOf(stack, stack.messaging.mailer.fn)]!;
    expect(mailer.Properties.Environment.Variables.CARELINE_SES_FROM).toBe(from);
    const permissions = permissionsOfRole(template, idOf(stack, stack.messaging.mailer.role));
    const ses = permissions.filter((p) => p.action.startsWith('ses:'));
    expect(ses).toEqual([{ action: 'ses:SendEmail', resource: expect.stringContaining(arnSuffix) }]);
    // The mailer never touches the table.
    expect(permissions.some((p) => p.action.startsWith('dynamodb:'))).toBe(false);
  });

  it('subscribes the mailer to the email topic and the inbound-SMS function to the inbound topic', () => {
    const { stack, template } = synth();
    const subscriptions = Object.values(template.findResources('AWS::SNS::Subscription', { Properties: { Protocol: 'lambda' } }));
    const pairs = subscriptions.map((s) => `${renderIntrinsic(s.Properties.TopicArn)} → ${renderIntrinsic(s.Properties.Endpoint)}`);
    expect(pairs).toContain(`<${idOf(stack, stack.messaging.emailTopic)}> → <${idOf(stack, stack.messaging.mailer.fn)}.Arn>`);
    expect(pairs).toContain(`<${idOf(stack, stack.messaging.inboundSmsTopic)}> → <${idOf(stack, stack.messaging.inboundSms.fn)}.Arn>`);
  });

  it('subscribes the ops email only when one is given', () => {
    expect(Object.keys(synth().template.findResources('AWS::SNS::Subscription', { Properties: { Protocol: 'email' } }))).toHaveLength(0);
    synth({ opsAlertEmail: 'ops@shop.example' }).template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@shop.example' });
  });

  it('routes GET and POST /u/{token} to the unsubscribe function', () => {
    const { template } = synth();
    for (const key of ['GET /u/{token}', 'POST /u/{token}']) template.resourcePropertiesCountIs('AWS::ApiGatewayV2::Route', { RouteKey: key }, 1);
  });
});

describe('alarms', () => {
  it('alarms to the ops topic on dead tasks, dispatcher errors and every dead-letter queue', () => {
    const { stack, template } = synth();
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    const opsTopic = idOf(stack, stack.messaging.opsTopic);
    for (const alarm of alarms) expect(renderIntrinsic(alarm.Properties.AlarmActions[0])).toBe(`<${opsTopic}>`);
    expect(alarms.some((a) => a.Properties.MetricName === 'DeadTasks' && a.Properties.Namespace === 'Careline')).toBe(true);
    const queues = Object.keys(template.findResources('AWS::SQS::Queue'));
    const watched = alarms.filter((a) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible').map((a) => renderIntrinsic(a.Properties.Dimensions[0].Value));
    expect(watched.map((w) => w.replace(/^<(.+)\.QueueName>$/, '$1')).sort()).toEqual(queues.sort());
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Errors', Dimensions: Match.arrayWith([Match.objectLike({ Name: 'FunctionName' })]) });
  });
});
