import { Duration, Stack } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IAlarm,
  type IMetric,
  MathExpression,
  Metric,
  Stats,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { MESSAGE_METRIC, METRIC, METRICS_NAMESPACE, METRICS_SERVICE, WEBHOOK_OUTCOMES } from '../../functions/metrics.ts';
import { DISPATCHER_LAG_ALARM_SECONDS } from './careline-alarms.ts';
import type { CarelineFunction } from './careline-function.ts';

/** Counts are summed over 5 minutes: webhooks and messages come in bursts, a minute is too jumpy to read. */
const COUNT_PERIOD = Duration.minutes(5);

export interface CarelineDashboardProps {
  readonly httpApi: IHttpApi;
  /** The function behind POST /webhooks/{platform}/{shopId}. */
  readonly webhook: CarelineFunction;
  /** Every function of the stack, by a short name for the graph legends. */
  readonly functions: { name: string; fn: CarelineFunction }[];
  readonly deadLetterQueues: { name: string; queue: IQueue }[];
  /** Shown at the top, with their state. */
  readonly alarms: IAlarm[];
}

/**
 * One CloudWatch dashboard for ops: the alarms, webhooks in (by outcome, by platform and topic,
 * server errors), messages out (sent by kind, not sent by reason), the dispatcher (lag, dead
 * tasks, throughput), dead-letter queues, and errors and duration of every function. The
 * Careline metrics are the EMF ones of functions/metrics.ts.
 */
export class CarelineDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: CarelineDashboardProps) {
    super(scope, id);
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `careline-${Stack.of(this).stackName}`,
      defaultInterval: Duration.hours(24),
    });

    this.dashboard.addWidgets(
      new TextWidget({
        markdown: '# Careline\nWebhooks in, messages out, the dispatcher in between. Counts are per 5 minutes; the alarms notify the ops topic.',
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: props.alarms, width: 24, height: 3 }));

    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Webhooks by outcome',
        left: WEBHOOK_OUTCOMES.map((outcome) => careline(METRIC.webhooks, Stats.SUM, { outcome }, outcome)),
        stacked: true,
        width: 8,
      }),
      new GraphWidget({
        title: 'Webhooks by platform and topic',
        left: [search(METRIC.webhooks, ['outcome', 'platform', 'topic'], "${PROP('Dim.platform')} ${PROP('Dim.topic')} ${PROP('Dim.outcome')}")],
        width: 8,
      }),
      new GraphWidget({
        title: 'Webhook server errors (5xx)',
        left: [
          props.httpApi.metricServerError({ period: COUNT_PERIOD, statistic: Stats.SUM, label: 'HTTP API 5xx' }),
          careline(METRIC.webhooks, Stats.SUM, { outcome: 'error' }, 'webhook handler errors (answered 500)'),
          props.webhook.fn.metricErrors({ period: COUNT_PERIOD, statistic: Stats.SUM, label: 'webhook Lambda errors (timeouts, crashes)' }),
        ],
        width: 8,
      }),
    );

    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Messages sent, by kind',
        left: [search(MESSAGE_METRIC.sent, ['kind'], "${PROP('Dim.kind')}")],
        stacked: true,
        width: 12,
      }),
      new GraphWidget({
        title: 'Messages not sent, by reason',
        left: [search(MESSAGE_METRIC.skipped, ['reason'], "${PROP('Dim.reason')}")],
        stacked: true,
        width: 12,
      }),
    );

    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Dispatcher lag (oldest due task, seconds)',
        left: [careline(METRIC.dispatcherLag, Stats.MAXIMUM, {}, 'lag', Duration.minutes(1))],
        leftAnnotations: [{ value: DISPATCHER_LAG_ALARM_SECONDS, label: 'alarm' }],
        width: 8,
      }),
      new GraphWidget({
        title: 'Dead tasks',
        left: [careline(METRIC.deadTasks, Stats.SUM, {}, 'dead tasks')],
        width: 8,
      }),
      new GraphWidget({
        title: 'Dispatcher throughput',
        left: [
          careline(METRIC.tasksDone, Stats.SUM, {}, 'done'),
          careline(METRIC.tasksRescheduled, Stats.SUM, {}, 'rescheduled'),
          careline(METRIC.tasksRetried, Stats.SUM, {}, 'retried'),
          careline(METRIC.tasksLeftOver, Stats.SUM, {}, 'left over'),
        ],
        width: 8,
      }),
    );

    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Dead-letter queues (messages waiting)',
        left: props.deadLetterQueues.map(({ name, queue }) =>
          queue.metricApproximateNumberOfMessagesVisible({ period: COUNT_PERIOD, statistic: Stats.MAXIMUM, label: name }),
        ),
        width: 24,
      }),
    );

    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Lambda errors',
        left: props.functions.map(({ name, fn }) => fn.fn.metricErrors({ period: COUNT_PERIOD, statistic: Stats.SUM, label: name })),
        width: 12,
      }),
      new GraphWidget({
        title: 'Lambda duration (p95, ms)',
        left: props.functions.map(({ name, fn }) => fn.fn.metricDuration({ period: COUNT_PERIOD, statistic: Stats.p(95), label: name })),
        width: 12,
      }),
    );
  }
}

/** A Careline EMF metric: its dimensions are `service` and those given. */
function careline(metricName: string, statistic: string, dimensions: Record<string, string>, label: string, period = COUNT_PERIOD): IMetric {
  return new Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { service: METRICS_SERVICE, ...dimensions }, statistic, label, period });
}

/**
 * Every series of a Careline metric under one dimension set, whatever its values: message kinds
 * and reasons grow with the product, and a graph that lists them would fall behind.
 */
function search(metricName: string, dimensions: string[], label: string): IMetric {
  const schema = [METRICS_NAMESPACE, 'service', ...dimensions].join(',');
  return new MathExpression({
    expression: `SEARCH('{${schema}} MetricName="${metricName}" service="${METRICS_SERVICE}"', 'Sum', ${COUNT_PERIOD.toSeconds()})`,
    usingMetrics: {},
    label,
    period: COUNT_PERIOD,
  });
}
