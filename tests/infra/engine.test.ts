import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { buildTestApp, permissionsOfRole, renderIntrinsic } from './careline-app.ts';

function synth(context: Record<string, unknown> = {}) {
  const { stack } = buildTestApp(context);
  const template = Template.fromStack(stack);
  const idOf = (construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
  const functionOf = (construct: IConstruct) => template.findResources('AWS::Lambda::Function')[idOf(construct)]!.Properties;
  return { stack, template, idOf, functionOf };
}

/** The dynamic reference CloudFormation resolves to the unsubscribe secret's value at deploy time. */
const secretReference = (secretId: string, versionId = '') => `{{resolve:secretsmanager:<${secretId}>:SecretString:::${versionId}}}`;

describe('timer engine', () => {
  const { stack, template, idOf, functionOf } = synth({ sesIdentity: 'care@shop.example', smsSenderId: 'TeaHouse' });
  const dispatcher = () => functionOf(stack.engine.dispatcher.fn);

  it('runs the dispatcher every minute, retrying a failed invocation, then recording it in a dead-letter queue', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule', { Properties: { ScheduleExpression: 'rate(1 minute)' } }));
    expect(rules).toHaveLength(1);
    const target = rules[0]!.Properties.Targets[0];
    expect(renderIntrinsic(target.Arn)).toBe(`<${idOf(stack.engine.dispatcher.fn)}.Arn>`);
    expect(target.RetryPolicy.MaximumRetryAttempts).toBeGreaterThan(0);
    expect(renderIntrinsic(target.DeadLetterConfig.Arn)).toBe(`<${idOf(stack.engine.deadLetterQueue)}.Arn>`);
  });

  it('gives the dispatcher 60 s and 512 MB, no reserved concurrency, and no retry of a failed run', () => {
    expect(dispatcher()).toMatchObject({ Timeout: 60, MemorySize: 512 });
    expect(dispatcher().ReservedConcurrentExecutions).toBeUndefined();
    const config = Object.values(template.findResources('AWS::Lambda::EventInvokeConfig')).find(
      (c) => renderIntrinsic(c.Properties.FunctionName) === `<${idOf(stack.engine.dispatcher.fn)}>`,
    );
    expect(config?.Properties.MaximumRetryAttempts).toBe(0);
  });

  it('tells the dispatcher the table, channel, topics, public URL, unsubscribe secrets (by reference) and sender id', () => {
    const env = dispatcher().Environment.Variables;
    expect(env).toMatchObject({ CARELINE_TABLE: { Ref: idOf(stack.data.table) }, CARELINE_CHANNEL: 'sns', CARELINE_SMS_SENDER_ID: 'TeaHouse' });
    expect(renderIntrinsic(env.CARELINE_EMAIL_TOPIC_ARN)).toBe(`<${idOf(stack.messaging.emailTopic)}>`);
    expect(renderIntrinsic(env.CARELINE_OPS_TOPIC_ARN)).toBe(`<${idOf(stack.messaging.opsTopic)}>`);
    expect(renderIntrinsic(env.CARELINE_PUBLIC_URL)).toBe(renderIntrinsic(template.findOutputs('ApiUrl').ApiUrl?.Value));
    expect(renderIntrinsic(env.CARELINE_UNSUBSCRIBE_SECRETS)).toBe(secretReference(idOf(stack.node.findChild('UnsubscribeSecret'))));
  });

  it('leaves the SMS sender id out when none is given', () => {
    const { stack: plain, functionOf: fnOf } = synth();
    expect(fnOf(plain.engine.dispatcher.fn).Environment.Variables).not.toHaveProperty('CARELINE_SMS_SENDER_ID');
  });

  it('lets the dispatcher publish to the email and ops topics and text phone numbers, but publish to no other topic', () => {
    const sns = permissionsOfRole(template, idOf(stack.engine.dispatcher.role)).filter((p) => p.action.startsWith('sns:'));
    expect(sns.map((p) => p.resource).sort()).toEqual(
      [`<${idOf(stack.messaging.emailTopic)}>`, `<${idOf(stack.messaging.opsTopic)}>`, 'NOT arn:<AWS::Partition>:sns:*:*:*'].sort(),
    );
  });

  it('lets the dispatcher read and write the table and its due-task index, and put events on the bus (a stalled parcel)', () => {
    const permissions = permissionsOfRole(template, idOf(stack.engine.dispatcher.role));
    expect(permissions).toContainEqual({ action: 'dynamodb:Query', resource: `<${idOf(stack.data.table)}.Arn>/index/*` });
    expect(permissions).toContainEqual({ action: 'dynamodb:UpdateItem', resource: `<${idOf(stack.data.table)}.Arn>` });
    expect(permissions).toContainEqual({ action: 'events:PutEvents', resource: `<${idOf(stack.data.bus)}.Arn>` });
  });
});

describe('unsubscribe links', () => {
  const { stack, template, idOf, functionOf } = synth();

  it('routes GET and POST /u/{token} to the unsubscribe function', () => {
    const integrations = template.findResources('AWS::ApiGatewayV2::Integration');
    for (const key of ['GET /u/{token}', 'POST /u/{token}']) {
      const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: key } }));
      expect(routes).toHaveLength(1);
      const integrationId = renderIntrinsic(routes[0]!.Properties.Target).replace(/^integrations\/<(.+)>$/, '$1');
      expect(renderIntrinsic(integrations[integrationId]?.Properties.IntegrationUri)).toBe(`<${idOf(stack.unsubscribe.fn)}.Arn>`);
    }
  });

  it('gives the unsubscribe function the secrets by reference and the table, and no access to the secret itself', () => {
    const secretId = idOf(stack.node.findChild('UnsubscribeSecret'));
    expect(renderIntrinsic(functionOf(stack.unsubscribe.fn).Environment.Variables.CARELINE_UNSUBSCRIBE_SECRETS)).toBe(secretReference(secretId));
    const permissions = permissionsOfRole(template, idOf(stack.unsubscribe.role));
    expect(permissions).toContainEqual({ action: 'dynamodb:UpdateItem', resource: `<${idOf(stack.data.table)}.Arn>` });
    expect(permissions.filter((p) => p.action.startsWith('secretsmanager:'))).toEqual([]);
  });

  it('generates a 48-character secret with no punctuation (no comma to split on)', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: { PasswordLength: 48, ExcludePunctuation: true } });
  });

  it('pins the secret version given as unsubscribeSecretVersion, so a deploy reads the new value', () => {
    const pinned = synth({ unsubscribeSecretVersion: 'b1a2c3d4-version' });
    const secretId = pinned.idOf(pinned.stack.node.findChild('UnsubscribeSecret'));
    for (const fn of [pinned.stack.unsubscribe.fn, pinned.stack.engine.dispatcher.fn]) {
      expect(renderIntrinsic(pinned.functionOf(fn).Environment.Variables.CARELINE_UNSUBSCRIBE_SECRETS)).toBe(secretReference(secretId, 'b1a2c3d4-version'));
    }
  });
});

describe('alarms', () => {
  const { stack, template, idOf } = synth();
  const alarms = () => Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
  const fiveMinutesAtLeastOne = { Period: 300, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' };

  it('tells the ops topic, and only it, about every alarm', () => {
    for (const alarm of alarms()) expect(alarm.AlarmActions.map(renderIntrinsic)).toEqual([`<${idOf(stack.messaging.opsTopic)}>`]);
  });

  it('alarms on one dead task in five minutes, not on silence', () => {
    expect(alarms().filter((a) => a.MetricName === 'DeadTasks')).toEqual([
      expect.objectContaining({ ...fiveMinutesAtLeastOne, Namespace: 'Careline', Statistic: 'Sum', Dimensions: [{ Name: 'service', Value: 'careline' }], TreatMissingData: 'notBreaching' }),
    ]);
  });

  it('alarms on one dispatcher error in five minutes', () => {
    const errors = alarms().filter((a) => a.Namespace === 'AWS/Lambda' && a.MetricName === 'Errors');
    expect(errors).toEqual([expect.objectContaining({ ...fiveMinutesAtLeastOne, Statistic: 'Sum' })]);
    expect(renderIntrinsic(errors[0]?.Dimensions[0].Value)).toBe(`<${idOf(stack.engine.dispatcher.fn)}>`);
  });

  it('alarms once on each queue of the stack (all are dead-letter queues) as soon as it holds a message', () => {
    const watched = alarms()
      .filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible')
      .map((a) => {
        expect(a).toMatchObject({ ...fiveMinutesAtLeastOne, Namespace: 'AWS/SQS' });
        return renderIntrinsic(a.Dimensions[0].Value).replace(/^<(.+)\.QueueName>$/, '$1');
      });
    const queues = Object.keys(template.findResources('AWS::SQS::Queue'));
    expect(queues).toContain(idOf(stack.orderStream.failures));
    expect(watched.sort()).toEqual(queues.sort());
  });
});
