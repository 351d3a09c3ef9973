import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { afterEach, beforeAll, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { countDispatcherRun, countMessage, countWebhook, createMetrics, WEBHOOK_OUTCOMES } from '../../functions/metrics.ts';
import type { PipelineResult } from '../../shared/messages/send-pipeline.ts';
import type { DispatchReport } from '../../shared/tasks/dispatcher.ts';
import type { CarelineStack } from '../../infra/stack.ts';
import { buildTestApp, renderIntrinsic } from './careline-app.ts';

let stack: CarelineStack;
let template: Template;

beforeAll(() => {
  stack = buildTestApp().stack;
  template = Template.fromStack(stack);
});

const idOf = (construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
const alarms = () => Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties);

interface Widget {
  type: string;
  properties: { title?: string; markdown?: string; alarms?: string[]; metrics?: MetricRow[]; annotations?: { horizontal?: { value: number; label?: string }[] } };
}
/** A dashboard metric: [namespace, name, dimension, value, …, options], or [{ expression }] for math and search. */
type MetricRow = (string | { label?: string; stat?: string; expression?: string })[];

/** The dashboard body, with references rendered as `<LogicalId>` / `<LogicalId.Attr>`. */
function dashboardWidgets(): Widget[] {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  return (JSON.parse(renderIntrinsic(dashboards[0]?.Properties.DashboardBody)) as { widgets: Widget[] }).widgets;
}

function widget(title: string): Widget {
  const found = dashboardWidgets().find((w) => w.properties.title === title);
  if (!found) throw new Error(`no widget "${title}"`);
  return found;
}

/** A metric row as `namespace name dim=value … stat` (references rendered), or its expression. */
function describeRow(row: MetricRow): string {
  const options = row.at(-1) as { stat?: string; expression?: string };
  if (options.expression) return options.expression;
  const [namespace, name, ...dims] = row.slice(0, -1) as string[];
  const pairs = [];
  for (let i = 0; i < dims.length; i += 2) pairs.push(`${dims[i]}=${dims[i + 1]}`);
  return [namespace, name, ...pairs, options.stat].join(' ');
}
const rowsOf = (title: string) => (widget(title).properties.metrics ?? []).map(describeRow);

const functions = () => [
  stack.api.webhook,
  stack.orderStream.publisher,
  stack.engine.dispatcher,
  stack.messaging.mailer,
  stack.messaging.inboundSms,
  stack.unsubscribe,
];

describe('dashboard', () => {
  it('is one dashboard named after the stack, with the alarms on top', () => {
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: `careline-${stack.stackName}` });
    const statuses = widget('Alarms').properties.alarms ?? [];
    expect(statuses.sort()).toEqual(Object.keys(template.findResources('AWS::CloudWatch::Alarm')).map((id) => `<${id}.Arn>`).sort());
  });

  it('shows webhooks by outcome (every outcome the handler counts), and by platform and topic', () => {
    expect(rowsOf('Webhooks by outcome')).toEqual(WEBHOOK_OUTCOMES.map((outcome) => `Careline Webhooks outcome=${outcome} service=careline Sum`));
    expect(rowsOf('Webhooks by platform and topic')).toEqual([
      `SEARCH('{Careline,service,outcome,platform,topic} MetricName="Webhooks" service="careline"', 'Sum', 300)`,
    ]);
  });

  it('shows webhook 5xx: the HTTP API count, the errors the handler answered 500, and the function errors', () => {
    expect(rowsOf('Webhook server errors (5xx)')).toEqual([
      `AWS/ApiGateway 5xx ApiId=<${idOf(stack.api.httpApi)}> Sum`,
      'Careline Webhooks outcome=error service=careline Sum',
      `AWS/Lambda Errors FunctionName=<${idOf(stack.api.webhook.fn)}> Sum`,
    ]);
  });

  it('shows messages sent by kind and not sent by reason', () => {
    expect(rowsOf('Messages sent, by kind')).toEqual([`SEARCH('{Careline,service,kind} MetricName="MessagesSent" service="careline"', 'Sum', 300)`]);
    expect(rowsOf('Messages not sent, by reason')).toEqual([`SEARCH('{Careline,service,reason} MetricName="MessagesSkipped" service="careline"', 'Sum', 300)`]);
  });

  it('shows the dispatcher: its lag against the alarm threshold, dead tasks, throughput', () => {
    expect(rowsOf('Dispatcher lag (oldest due task, seconds)')).toEqual(['Careline DispatcherLagSeconds service=careline Maximum']);
    expect(widget('Dispatcher lag (oldest due task, seconds)').properties.annotations?.horizontal).toEqual([expect.objectContaining({ value: 300 })]);
    expect(rowsOf('Dead tasks')).toEqual(['Careline DeadTasks service=careline Sum']);
    expect(rowsOf('Dispatcher throughput')).toEqual(['TasksDone', 'TasksRescheduled', 'TasksRetried', 'TasksLeftOver'].map((name) => `Careline ${name} service=careline Sum`));
  });

  it('shows the depth of every queue of the stack (all are dead-letter queues)', () => {
    const queues = Object.keys(template.findResources('AWS::SQS::Queue'));
    expect(queues).toHaveLength(4);
    expect(rowsOf('Dead-letter queues (messages waiting)').sort()).toEqual(
      queues.map((id) => `AWS/SQS ApproximateNumberOfMessagesVisible QueueName=<${id}.QueueName> Maximum`).sort(),
    );
  });

  it('shows errors and p95 duration of every function of the stack', () => {
    const ids = functions().map((fn) => idOf(fn.fn));
    expect(ids.sort()).toEqual(Object.keys(template.findResources('AWS::Lambda::Function')).sort());
    expect(rowsOf('Lambda errors').sort()).toEqual(ids.map((id) => `AWS/Lambda Errors FunctionName=<${id}> Sum`).sort());
    expect(rowsOf('Lambda duration (p95, ms)').sort()).toEqual(ids.map((id) => `AWS/Lambda Duration FunctionName=<${id}> p95`).sort());
  });
});

describe('alarms', () => {
  it('tells the ops topic about the new alarms too', () => {
    const opsTopic = `<${idOf(stack.messaging.opsTopic)}>`;
    const added = alarms().filter((a) => a.MetricName === 'DispatcherLagSeconds' || a.MetricName === '5xx');
    expect(added).toHaveLength(2);
    for (const alarm of added) expect(alarm.AlarmActions.map(renderIntrinsic)).toEqual([opsTopic]);
  });

  it('alarms when due tasks wait over 5 minutes in 2 of 3 dispatcher minutes, skipping minutes without a report', () => {
    expect(alarms().filter((a) => a.MetricName === 'DispatcherLagSeconds')).toEqual([
      expect.objectContaining({
        Namespace: 'Careline',
        Dimensions: [{ Name: 'service', Value: 'careline' }],
        Statistic: 'Maximum',
        Period: 60,
        Threshold: 300,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        TreatMissingData: 'missing',
      }),
    ]);
  });

  it("alarms on the HTTP API's 5xx (the webhook answers its own errors with 500, so Lambda Errors stays 0) in 2 of 3 five-minute windows", () => {
    const [alarm, ...others] = alarms().filter((a) => a.Namespace === 'AWS/ApiGateway');
    expect(others).toEqual([]);
    expect(alarm).toMatchObject({
      MetricName: '5xx',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
    });
    expect(alarm?.Dimensions.map((d: { Name: string; Value: unknown }) => `${d.Name}=${renderIntrinsic(d.Value)}`)).toEqual([`ApiId=<${idOf(stack.api.httpApi)}>`]);
  });
});

describe('the metrics the functions emit (EMF)', () => {
  let written: MockInstance<typeof process.stdout.write>;
  let warned: MockInstance<typeof process.stderr.write>;
  beforeEach(() => {
    written = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    warned = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    const warnings = warned.mock.calls.map(([chunk]) => String(chunk));
    written.mockRestore();
    warned.mockRestore();
    // Powertools warns on stderr about dimensions it dislikes; in Lambda that would be a line per request.
    expect(warnings).toEqual([]);
  });

  interface Emf {
    _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
    [key: string]: unknown;
  }
  const records = (): Emf[] =>
    written.mock.calls
      .map(([chunk]) => String(chunk))
      .join('')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Emf);
  /** Every (metric, dimensions) series the records make, as `Name dim=value …` with dimensions sorted. */
  const series = () =>
    records().flatMap((record) =>
      record._aws.CloudWatchMetrics.flatMap(({ Dimensions, Metrics }) =>
        Metrics.flatMap(({ Name }) => Dimensions.map((dims) => [Name, ...[...dims].sort().map((d) => `${d}=${String(record[d])}`)].join(' '))),
      ),
    );

  const report: DispatchReport = { bucketsRead: 3, seen: 4, claimed: 4, done: 2, rescheduled: 1, retried: 1, dead: 0, skipped: 0, leftOver: 0, backlog: false, lagMs: 61_400, watermark: '2026-11-20T00:00' };

  it('counts a webhook under {outcome}, {platform, outcome} and {platform, topic, outcome}', () => {
    countWebhook(createMetrics({ emit: true }), { platform: 'shopify', topic: 'orders/create', outcome: 'applied' }, () => true);
    expect(series().sort()).toEqual(
      [
        'Webhooks outcome=applied service=careline',
        'Webhooks outcome=applied platform=shopify service=careline',
        'Webhooks outcome=applied platform=shopify service=careline topic=orders/create',
      ].sort(),
    );
    // One log line per request, however many dimension sets.
    expect(records()).toHaveLength(1);
    expect(records()[0]).toMatchObject({ Webhooks: 1, _aws: { CloudWatchMetrics: [{ Namespace: 'Careline' }] } });
  });

  it('counts what a caller made up as "other": an unknown platform, and the topic of a refused request or one that failed', () => {
    const metrics = createMetrics({ emit: true });
    countWebhook(metrics, { platform: 'x'.repeat(300), topic: 'evil/1', outcome: 'rejected' }, () => false);
    countWebhook(metrics, { platform: 'shopify', topic: 'orders/whatever-you-like', outcome: 'rejected' }, () => true);
    countWebhook(metrics, { platform: 'woocommerce', outcome: 'error' }, () => true);
    const triples = series().filter((s) => s.includes('topic='));
    expect(triples).toEqual([
      'Webhooks outcome=rejected platform=other service=careline topic=other',
      'Webhooks outcome=rejected platform=shopify service=careline topic=other',
      'Webhooks outcome=error platform=woocommerce service=careline topic=other',
    ]);
  });

  it('counts message decisions by kind, reason (without its detail) and channel, from the pipeline result as it is', () => {
    const metrics = createMetrics({ emit: true });
    const results: PipelineResult[] = [
      { status: 'sent', channel: 'sms', segments: 1 },
      { status: 'skipped', reason: 'channel_failed:invalid_phone' },
      { status: 'deferred', until: new Date('2026-11-21T01:00:00Z'), reason: 'quiet_hours' },
      { status: 'retry', reason: 'contact_budget_changed' },
    ];
    for (const result of results) countMessage(metrics, { kind: 'payment_reminder', ...result });
    expect(series()).toEqual([
      'MessagesSent kind=payment_reminder service=careline',
      'MessagesSent channel=sms service=careline',
      'MessagesSkipped kind=payment_reminder service=careline',
      'MessagesSkipped reason=channel_failed service=careline',
      'MessagesDeferred kind=payment_reminder service=careline',
      'MessagesDeferred reason=quiet_hours service=careline',
      'MessagesRetried kind=payment_reminder service=careline',
      'MessagesRetried reason=contact_budget_changed service=careline',
    ]);
  });

  it('counts a dispatcher run under the names the dispatcher always used', () => {
    countDispatcherRun(createMetrics({ emit: true }), report);
    expect(records()).toEqual([expect.objectContaining({ DispatcherLagSeconds: 61, TasksDone: 2, TasksRescheduled: 1, TasksRetried: 1, DeadTasks: 0, TasksLeftOver: 0 })]);
  });

  it('emits every Careline series the dashboard and the alarms read', () => {
    const metrics = createMetrics({ emit: true });
    for (const outcome of WEBHOOK_OUTCOMES) countWebhook(metrics, { platform: 'shopify', topic: 'orders/create', outcome }, () => true);
    countMessage(metrics, { kind: 'delivered', status: 'sent', channel: 'email' });
    countMessage(metrics, { kind: 'delivered', status: 'skipped', reason: 'opted_out' });
    countDispatcherRun(metrics, report);
    const emitted = series();
    const schemaOf = (s: string) => s.replace(/=[^ ]*/g, '');

    const read: string[] = [];
    for (const w of dashboardWidgets()) {
      for (const row of w.properties.metrics ?? []) {
        const described = describeRow(row);
        const search = /^SEARCH\('\{Careline,([^}]+)\} MetricName="(\w+)"/.exec(described);
        if (search) read.push([search[2], ...search[1]!.split(',').sort()].join(' '));
        else if (described.startsWith('Careline ')) read.push(described.split(' ').slice(1, -1).sort((a, b) => (a.includes('=') ? 1 : 0) - (b.includes('=') ? 1 : 0) || a.localeCompare(b)).join(' '));
      }
    }
    for (const alarm of alarms().filter((a) => a.Namespace === 'Careline')) {
      read.push([alarm.MetricName, ...alarm.Dimensions.map((d: { Name: string; Value: string }) => `${d.Name}=${d.Value}`).sort()].join(' '));
    }
    expect(read.length).toBeGreaterThan(10);
    for (const wanted of read) {
      // A search names dimensions only; an explicit metric names their values too.
      const match = wanted.includes('=') ? emitted.includes(wanted) : emitted.some((s) => schemaOf(s) === wanted);
      expect(match, `${wanted} is read but never emitted`).toBe(true);
    }
  });
});
