import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CarelineStack } from '../../infra/stack.ts';
import { keys } from '../../shared/store/keys.ts';
import { buildTestApp, permissionsOfRole, renderIntrinsic } from './careline-app.ts';

let stack: CarelineStack;
let template: Template;

beforeAll(() => {
  stack = buildTestApp().stack;
  template = Template.fromStack(stack);
});

/** The logical id CloudFormation knows an L2 construct's resource by. */
const logicalId = (construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);

/** The logical id a `Ref` or `Fn::GetAtt [id, 'Arn']` points at. */
const referencedId = (value: unknown) => renderIntrinsic(value).replace(/^<([^.>]+)(\.Arn)?>$/, '$1');

describe('data', () => {
  it('keeps everything in one on-demand table keyed pk/sk, with point-in-time recovery and TTL on expiresAt', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('streams every change with old and new images, for domain events derived from order changes', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', { StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' } });
  });

  it('holds due tasks in one sparse index gsi1 (gsi1pk/gsi1sk), projecting only what a claim does not change, keyed by strings', () => {
    const table = template.findResources('AWS::DynamoDB::Table')[logicalId(stack.data.table)];
    expect(table?.Properties.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'gsi1',
        KeySchema: [
          { AttributeName: 'gsi1pk', KeyType: 'HASH' },
          { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['shopId', 'taskKey', 'kind', 'dueAt', 'priority', 'payload'] },
      },
    ]);
    expect(table?.Properties.AttributeDefinitions).toEqual(
      ['pk', 'sk', 'gsi1pk', 'gsi1sk'].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    );
  });

  it('keeps the table when the stack is deleted or the table replaced', () => {
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('has a custom EventBridge bus for domain events, named after the stack', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'careline-Careline' });
  });
});

describe('webhook function', () => {
  const webhookFunction = () => template.findResources('AWS::Lambda::Function')[logicalId(stack.api.webhook.fn)];

  it('runs index.handler of its bundle with 512 MB and a 10 s timeout', () => {
    expect(webhookFunction()?.Properties).toMatchObject({ Handler: 'index.handler', MemorySize: 512, Timeout: 10 });
  });

  it('is told the table, the bus and the Powertools service name', () => {
    expect(webhookFunction()?.Properties.Environment.Variables).toMatchObject({
      CARELINE_TABLE: { Ref: logicalId(stack.data.table) },
      CARELINE_BUS: { Ref: logicalId(stack.data.bus) },
      POWERTOOLS_SERVICE_NAME: 'careline',
    });
  });

  it('may read and write the table and its index, and has no access to the bus', () => {
    const permissions = permissionsOfRole(template, logicalId(stack.api.webhook.role));
    const table = `<${logicalId(stack.data.table)}.Arn>`;
    for (const action of ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem', 'dynamodb:Query']) {
      expect(permissions).toContainEqual({ action, resource: table });
    }
    expect(permissions).toContainEqual({ action: 'dynamodb:Query', resource: `${table}/index/*` });
    expect(permissions.filter(({ action }) => action.startsWith('events:'))).toEqual([]);
  });
});

describe('domain events from the table stream', () => {
  const mapping = () => Object.values(template.findResources('AWS::Lambda::EventSourceMapping'))[0]?.Properties;

  it('feeds the publisher function from the table stream, in order from the oldest record, retrying from the failed record', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    expect(mapping()).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stack.data.table), 'StreamArn'] },
      FunctionName: { Ref: logicalId(stack.orderStream.publisher.fn) },
      StartingPosition: 'TRIM_HORIZON',
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
    });
    expect(mapping()?.MaximumRetryAttempts).toBeGreaterThan(0);
  });

  it('invokes the publisher for inserted or modified order items only', () => {
    const [filter] = mapping()?.FilterCriteria.Filters ?? [];
    expect(JSON.parse(filter.Pattern)).toEqual({
      eventName: ['INSERT', 'MODIFY'],
      dynamodb: { Keys: { sk: { S: [keys.order('shop-1', 'order-1').sk] } } },
    });
  });

  it('records batches that keep failing in an encrypted queue', () => {
    expect(mapping()?.DestinationConfig.OnFailure.Destination).toEqual({ 'Fn::GetAtt': [logicalId(stack.orderStream.failures), 'Arn'] });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
  });

  it('lets the publisher put events on the bus, read the stream, write the table for the journeys and alert ops', () => {
    const permissions = permissionsOfRole(template, logicalId(stack.orderStream.publisher.role));
    expect(permissions).toContainEqual({ action: 'events:PutEvents', resource: `<${logicalId(stack.data.bus)}.Arn>` });
    expect(permissions).toContainEqual({ action: 'dynamodb:GetRecords', resource: `<${logicalId(stack.data.table)}.StreamArn>` });
    expect(permissions).toContainEqual({ action: 'dynamodb:UpdateItem', resource: `<${logicalId(stack.data.table)}.Arn>` });
    expect(permissions).toContainEqual({ action: 'sns:Publish', resource: `<${logicalId(stack.messaging.opsTopic)}>` });
    // The only topic it may publish to is the ops topic: no SMS, no email from here.
    expect(permissions.filter(({ action }) => action === 'sns:Publish').map(({ resource }) => resource)).toEqual([`<${logicalId(stack.messaging.opsTopic)}>`]);
  });

  it('is told the table, the bus, the ops topic and the Powertools service name', () => {
    const publisher = template.findResources('AWS::Lambda::Function')[logicalId(stack.orderStream.publisher.fn)];
    expect(publisher?.Properties.Environment.Variables).toMatchObject({
      CARELINE_TABLE: { Ref: logicalId(stack.data.table) },
      CARELINE_BUS: { Ref: logicalId(stack.data.bus) },
      CARELINE_OPS_TOPIC_ARN: { Ref: logicalId(stack.messaging.opsTopic) },
      POWERTOOLS_SERVICE_NAME: 'careline',
    });
  });
});

describe('every function', () => {
  const functions = () => Object.entries(template.findResources('AWS::Lambda::Function'));

  it('runs Node.js 22 on ARM64 with active X-Ray tracing', () => {
    expect(functions().length).toBeGreaterThan(0);
    for (const [, fn] of functions()) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' } });
    }
  });

  it('logs to its own log group, kept for a month', () => {
    const logGroups = template.findResources('AWS::Logs::LogGroup');
    for (const [, fn] of functions()) {
      expect(logGroups[referencedId(fn.Properties.LoggingConfig?.LogGroup)]?.Properties).toEqual({ RetentionInDays: 30 });
    }
  });

  it('has a role of its own with no managed policy, writing logs to its own log group only', () => {
    for (const [, fn] of functions()) {
      const roleId = referencedId(fn.Properties.Role);
      expect(template.findResources('AWS::IAM::Role')[roleId]?.Properties.ManagedPolicyArns).toBeUndefined();
      const logWrites = permissionsOfRole(template, roleId).filter(({ action }) => action.startsWith('logs:'));
      expect(logWrites.map(({ action }) => action).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
      for (const { resource } of logWrites) expect(resource).toBe(`<${referencedId(fn.Properties.LoggingConfig.LogGroup)}.Arn>`);
    }
  });

  it('maps its minified bundle back to the sources in stack traces', () => {
    for (const [, fn] of functions()) expect(fn.Properties.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
  });

  it('is granted resource * only for actions that have no resource-level permissions', () => {
    const unscopable = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'dynamodb:ListStreams'];
    for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        if (![statement.Resource].flat().includes('*')) continue;
        for (const action of [statement.Action].flat()) expect(unscopable).toContain(action);
      }
    }
  });
});

describe('HTTP API', () => {
  it('routes POST /webhooks/{platform}/{shopId} to the webhook function with payload format 2.0', () => {
    const routes = template.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: 'POST /webhooks/{platform}/{shopId}' } });
    const [route] = Object.values(routes);
    expect(Object.keys(routes)).toHaveLength(1);
    const integrationId = renderIntrinsic(route?.Properties.Target).replace(/^integrations\/<(.+)>$/, '$1');
    expect(template.findResources('AWS::ApiGatewayV2::Integration')[integrationId]?.Properties).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [logicalId(stack.api.webhook.fn), 'Arn'] },
    });
  });

  it('serves one auto-deployed $default stage with throttling', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() },
    });
    const { DefaultRouteSettings: throttle } = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0]?.Properties;
    expect(throttle.ThrottlingRateLimit).toBeGreaterThan(0);
    expect(throttle.ThrottlingBurstLimit).toBeGreaterThanOrEqual(throttle.ThrottlingRateLimit);
  });

  it('writes JSON access logs, one line per request, to a log group with retention', () => {
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0];
    const { DestinationArn, Format } = stage?.Properties.AccessLogSettings;
    expect(JSON.parse(Format)).toMatchObject({ requestId: '$context.requestId', routeKey: '$context.routeKey', status: '$context.status' });
    expect(template.findResources('AWS::Logs::LogGroup')[referencedId(DestinationArn)]?.Properties.RetentionInDays).toBeGreaterThan(0);
  });
});

describe('outputs', () => {
  const output = (name: string) => renderIntrinsic(template.findOutputs(name)[name]?.Value);

  it('names the table and the bus', () => {
    expect(output('TableName')).toBe(`<${logicalId(stack.data.table)}>`);
    expect(output('EventBusName')).toBe(`<${logicalId(stack.data.bus)}>`);
  });

  it('gives the API URL and the webhook URL template built on it', () => {
    const apiUrl = output('ApiUrl');
    expect(apiUrl).toBe(`https://<${logicalId(stack.api.httpApi)}>.execute-api.<AWS::Region>.<AWS::URLSuffix>/`);
    expect(output('WebhookUrlTemplate')).toBe(`${apiUrl}webhooks/{platform}/{shopId}`);
  });
});

it('sets a retention on every log group, so no log is kept (and paid for) forever', () => {
  const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup'));
  expect(logGroups.length).toBeGreaterThanOrEqual(2);
  for (const logGroup of logGroups) expect(logGroup.Properties.RetentionInDays).toBeGreaterThan(0);
});
