import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { CarelineFunction } from './careline-function.ts';

export interface CarelineAlarmsProps {
  readonly opsTopic: ITopic;
  readonly dispatcher: CarelineFunction;
  readonly deadLetterQueues: { name: string; queue: IQueue }[];
}

/** Alarms that tell ops on the ops topic: dead tasks, a failing dispatcher, anything in a dead-letter queue. */
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
        metric: new Metric({ namespace: 'Careline', metricName: 'DeadTasks', dimensionsMap: { service: 'careline' }, statistic: 'Sum', period: Duration.minutes(5) }),
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
