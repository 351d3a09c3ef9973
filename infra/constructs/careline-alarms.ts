import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC, METRICS_NAMESPACE, METRICS_SERVICE } from '../../functions/metrics.ts';
import type { CarelineFunction } from './careline-function.ts';

/** Due tasks waiting longer than this mean late reminders: the dispatcher is behind or stuck. */
export const DISPATCHER_LAG_ALARM_SECONDS = 300;

export interface CarelineAlarmsProps {
  readonly opsTopic: ITopic;
  readonly dispatcher: CarelineFunction;
  /** The HTTP API in front of the webhook (and the unsubscribe links). */
  readonly httpApi: IHttpApi;
  readonly deadLetterQueues: { name: string; queue: IQueue }[];
}

/**
 * Alarms that tell ops on the ops topic: dead tasks, a failing or lagging dispatcher, webhooks
 * answered with 5xx, anything in a dead-letter queue.
 */
export class CarelineAlarms extends Construct {
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: CarelineAlarmsProps) {
    super(scope, id);
    const action = new SnsAction(props.opsTopic);
    const add = (name: string, alarm: Alarm) => {
      alarm.addAlarmAction(action);
      this.alarms.push(alarm);
      return alarm;
    };

    add(
      'DeadTasks',
      new Alarm(this, 'DeadTasks', {
        alarmDescription: 'A task failed too often and will not be retried: careline tasks <shop> --dead',
        metric: new Metric({ namespace: METRICS_NAMESPACE, metricName: METRIC.deadTasks, dimensionsMap: { service: METRICS_SERVICE }, statistic: 'Sum', period: Duration.minutes(5) }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    add(
      'DispatcherErrors',
      new Alarm(this, 'DispatcherErrors', {
        alarmDescription: 'The dispatcher failed: due tasks are not running',
        metric: props.dispatcher.fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    // The dispatcher runs every minute and reports the age of the oldest due task. Missing minutes
    // are skipped, not counted: a run's report lands in the next minute now and then. A dispatcher
    // that stops altogether is told by DispatcherErrors and by the schedule's dead-letter queue.
    add(
      'DispatcherLag',
      new Alarm(this, 'DispatcherLag', {
        alarmDescription: `Due tasks have waited more than ${DISPATCHER_LAG_ALARM_SECONDS / 60} minutes in 2 of the last 3 dispatcher minutes: reminders go out late (dispatcher behind, throttled or failing)`,
        metric: new Metric({
          namespace: METRICS_NAMESPACE,
          metricName: METRIC.dispatcherLag,
          dimensionsMap: { service: METRICS_SERVICE },
          statistic: 'Maximum',
          period: Duration.minutes(1),
        }),
        threshold: DISPATCHER_LAG_ALARM_SECONDS,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.MISSING,
      }),
    );
    // API Gateway's count, not the function's Errors: the webhook answers an unexpected error with
    // a 500 itself (middleware), so Lambda sees a success; and a timeout, a crash at start or
    // throttling never reaches the handler's own metrics. One 5xx is retried by the platform;
    // 5xx in two of three 5-minute windows is an outage, even for a shop with few orders.
    add(
      'Webhook5xx',
      new Alarm(this, 'Webhook5xx', {
        alarmDescription: 'The HTTP API answered 5xx in 2 of the last 3 five-minute windows: platforms retry, then give up on (or disable) Careline webhooks',
        metric: props.httpApi.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    for (const { name, queue } of props.deadLetterQueues) {
      add(
        `Dlq-${name}`,
        new Alarm(this, `Dlq${name.replaceAll(/\W/g, '')}`, {
          alarmDescription: `Something landed in the ${name} dead-letter queue`,
          metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }
  }
}
