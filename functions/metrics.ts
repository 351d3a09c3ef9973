import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricsOptions } from '@aws-lambda-powertools/metrics/types';
import { reasonKey } from '../shared/messages/kinds.ts';
import type { DispatchReport } from '../shared/tasks/dispatcher.ts';
import type { IngestResult } from '../shared/webhooks/ingest-webhook.ts';

/** Where Careline's metrics live in CloudWatch; every one carries the dimension `service`. */
export const METRICS_NAMESPACE = 'Careline';
export const METRICS_SERVICE = 'careline';

/** Metric names: emitted here, read by the dashboard and the alarms (infra imports them). */
export const METRIC = {
  /** One per webhook request; dimension sets {outcome}, {platform, outcome}, {platform, topic, outcome}. */
  webhooks: 'Webhooks',
  /** Age of the oldest due task when a dispatcher run starts (0 when nothing waits). */
  dispatcherLag: 'DispatcherLagSeconds',
  tasksDone: 'TasksDone',
  tasksRescheduled: 'TasksRescheduled',
  tasksRetried: 'TasksRetried',
  deadTasks: 'DeadTasks',
  tasksLeftOver: 'TasksLeftOver',
} as const;

/** One per message the send pipeline decided on, by its status; dimension sets {kind}, {reason}, {channel}. */
export const MESSAGE_METRIC = {
  sent: 'MessagesSent',
  skipped: 'MessagesSkipped',
  deferred: 'MessagesDeferred',
  retry: 'MessagesRetried',
} as const;

export type WebhookMetricOutcome = IngestResult['outcome'] | 'error';

/** Every outcome a webhook is counted under (a Record, so a new IngestResult outcome must be added here). */
export const WEBHOOK_OUTCOMES = Object.keys({
  applied: true,
  duplicate: true,
  ignored: true,
  unmatched: true,
  ping: true,
  rejected: true,
  error: true,
} satisfies Record<WebhookMetricOutcome, true>) as WebhookMetricOutcome[];

/** The dimension value standing for anything a caller could make up (an unknown platform, the topic of a refused request). */
export const OTHER = 'other';

/**
 * Metrics that write EMF only where CloudWatch reads it: in a Lambda function's log stream.
 * Elsewhere (the local server, the journey tests, the CLI) an EMF line is noise on stdout, so it
 * is dropped; `emit: true` keeps it (tests that read the EMF).
 */
class CarelineMetrics extends Metrics {
  readonly #options: MetricsOptions;
  readonly #emit: boolean;

  constructor(options: MetricsOptions, emit: boolean) {
    super(options);
    this.#options = options;
    this.#emit = emit;
  }

  override publishStoredMetrics(): this {
    if (this.#emit) return super.publishStoredMetrics();
    this.clearMetrics();
    this.clearDimensions();
    this.clearMetadata();
    return this;
  }

  override singleMetric(): CarelineMetrics {
    return new CarelineMetrics({ ...this.#options, singleMetric: true }, this.#emit);
  }
}

/**
 * Powertools' own warnings, but for one: that a key is in two dimension sets of a record. EMF
 * allows it, and the webhook's sets share keys on purpose ({outcome} within {platform, outcome}
 * within {platform, topic, outcome}); the warning would be a log line per request.
 */
const metricsWarnings = {
  debug: (...args: unknown[]) => console.debug(...args),
  info: (...args: unknown[]) => console.info(...args),
  error: (...args: unknown[]) => console.error(...args),
  warn: (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('defined as both a dimension set and dimension set')) return;
    console.warn(...args);
  },
};

export function createMetrics(options: { emit?: boolean } = {}): Metrics {
  const emit = options.emit ?? process.env.AWS_LAMBDA_FUNCTION_NAME !== undefined;
  return new CarelineMetrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE, logger: metricsWarnings }, emit);
}

let shared: Metrics | undefined;

/** The Metrics instance every handler of a container shares, made on first use. */
export function getMetrics(): Metrics {
  shared ??= createMetrics();
  return shared;
}

export interface WebhookLabels {
  /** The {platform} of the path, as the caller sent it. */
  platform: string;
  outcome: WebhookMetricOutcome;
  topic?: string | undefined;
}

/**
 * Counts one webhook request, emitted at once (a single metric: its dimensions never mix with
 * another request's), in one EMF record under three dimension sets. Anyone can call the webhook URL with any platform in the path and any
 * topic header, and every distinct dimension value is a new CloudWatch metric, billed: a
 * platform is kept only when it is one Careline knows, and a topic only when the request was
 * accepted (signed by the shop's platform); anything else is counted as `other`.
 */
export function countWebhook(metrics: Metrics, labels: WebhookLabels, isKnownPlatform: (platform: string) => boolean): void {
  const platform = isKnownPlatform(labels.platform) ? labels.platform : OTHER;
  const accepted = labels.outcome !== 'rejected' && labels.outcome !== 'error';
  const topic = accepted ? boundedLabel(labels.topic ?? 'none') : OTHER;
  const { outcome } = labels;
  // One EMF record with three dimension sets (one log line per request, not three).
  const single = metrics.singleMetric();
  const sets: Record<string, string>[] = [{ outcome }, { platform, outcome }, { platform, topic, outcome }];
  for (const dimensions of sets) single.addDimensions(dimensions);
  single.addMetric(METRIC.webhooks, MetricUnit.Count, 1);
}

export interface MessageOutcome {
  kind: string;
  status: keyof typeof MESSAGE_METRIC;
  /** Why it was not sent (or not yet); only the part before the first `:` is a dimension. */
  reason?: string | undefined;
  channel?: string | undefined;
}

/**
 * Counts one message decision of the send pipeline: `MessagesSent`, `MessagesSkipped`,
 * `MessagesDeferred` or `MessagesRetried`, each under the dimension sets {kind}, {reason} and
 * {channel} (those it has; they share no key, so one EMF record holds them all). Emitted at once,
 * so it needs no publish and mixes with nothing.
 * Wiring: `countMessage(getMetrics(), { kind: request.kind, ...result })` with the pipeline's result.
 */
export function countMessage(metrics: Metrics, outcome: MessageOutcome): void {
  const single = metrics.singleMetric();
  single.addDimensions({ kind: boundedLabel(outcome.kind) });
  if (outcome.reason) single.addDimensions({ reason: boundedLabel(reasonKey(outcome.reason)) });
  if (outcome.channel) single.addDimensions({ channel: boundedLabel(outcome.channel) });
  single.addMetric(MESSAGE_METRIC[outcome.status], MetricUnit.Count, 1);
}

/** Counts one dispatcher run and publishes it: the dashboard and the alarms on dead tasks and dispatcher lag read these. */
export function countDispatcherRun(metrics: Metrics, report: DispatchReport): void {
  metrics.addMetric(METRIC.dispatcherLag, MetricUnit.Seconds, Math.round(report.lagMs / 1000));
  metrics.addMetric(METRIC.tasksDone, MetricUnit.Count, report.done);
  metrics.addMetric(METRIC.tasksRescheduled, MetricUnit.Count, report.rescheduled);
  metrics.addMetric(METRIC.tasksRetried, MetricUnit.Count, report.retried);
  metrics.addMetric(METRIC.deadTasks, MetricUnit.Count, report.dead);
  metrics.addMetric(METRIC.tasksLeftOver, MetricUnit.Count, report.leftOver);
  metrics.publishStoredMetrics();
}

function boundedLabel(value: string): string {
  return value.replace(/[^\w./-]/g, '_').slice(0, 64) || OTHER;
}
