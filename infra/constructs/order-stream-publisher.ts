import { Duration, Validations } from 'aws-cdk-lib';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { TABLE, keys } from '../../shared/store/keys.ts';
import type { CarelineData } from './careline-data.ts';
import { CarelineFunction } from './careline-function.ts';
import { grantOpsAlerts } from './careline-engine.ts';

/** Sort key of every order item, as the store spells it (and nothing else's). */
const ORDER_SORT_KEY = keys.order('any-shop', 'any-order').sk;

export interface OrderStreamPublisherProps {
  readonly data: CarelineData;
  /** Stalled parcels are reported here. */
  readonly opsTopic: ITopic;
}

/**
 * Reacts to order changes on the table's stream: publishes domain events (order.created,
 * order.paid, …) to the bus — a write to an order item is the only source of truth for what
 * happened to the order — and runs the order journeys, which schedule and cancel tasks.
 */
export class OrderStreamPublisher extends Construct {
  readonly publisher: CarelineFunction;
  /** Where a batch that kept failing is recorded (its stream position, not its records). */
  readonly failures: Queue;

  constructor(scope: Construct, id: string, props: OrderStreamPublisherProps) {
    super(scope, id);
    const { data } = props;

    this.publisher = new CarelineFunction(this, 'Publisher', {
      entry: 'functions/order-stream/handler.ts',
      description: 'Publishes domain events and runs the order journeys from order changes on the table stream',
      data,
      timeout: Duration.seconds(30),
      environment: { CARELINE_OPS_TOPIC_ARN: props.opsTopic.topicArn },
      // The stream event source lists the table's streams; ListStreams has no resource-level permissions.
      unscopedActions: ['dynamodb:ListStreams'],
    });
    data.bus.grantPutEventsTo(this.publisher);
    // The journeys read orders, profiles and product rules, and write tasks, calls and counters.
    data.grantTableReadWrite(this.publisher);
    grantOpsAlerts(props.opsTopic, this.publisher.role);

    this.failures = new Queue(this, 'Failures', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.failures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter destination of the order-stream event source mapping; nothing consumes it automatically, so it needs no DLQ of its own.',
    });

    this.publisher.fn.addEventSource(
      new DynamoEventSource(data.table, {
        // From the oldest record still in the stream: a first deploy or a paused mapping loses no event.
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        // The handler reports the first record it could not publish; Lambda retries from there, in order.
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        retryAttempts: 10,
        onFailure: new SqsDlq(this.failures),
        // The stream carries every write (timelines, profiles, delivery markers); only inserted or
        // modified order items stand for domain events, so only they invoke the function.
        filters: [
          FilterCriteria.filter({
            eventName: FilterRule.or('INSERT', 'MODIFY'),
            dynamodb: { Keys: { [TABLE.sortKey]: { S: FilterRule.isEqual(ORDER_SORT_KEY) } } },
          }),
        ],
      }),
    );
  }
}
