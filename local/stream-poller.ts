import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { createWireClient } from '../shared/store/dynamo-client.ts';
import { keys, TABLE } from '../shared/store/keys.ts';

type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;
type StreamRecord = DynamoDBStreamEvent['Records'][number];
interface Shard {
  ShardId: string;
}

/** GetRecords' page size (DynamoDB's own limit), in records and in bytes. */
const PAGE = 1000;
const PAGE_BYTES = 1024 * 1024;
const ORDER_SORT_KEY = keys.order('any-shop', 'any-order').sk;

/**
 * The records the order-stream function is invoked for: inserted or modified order items. The
 * same filter as the event source mapping's in AWS (infra/constructs/order-stream-publisher.ts);
 * the stream also carries tasks, ledger entries, counters and timelines.
 */
export function isOrderChange(record: StreamRecord): boolean {
  return (record.eventName === 'INSERT' || record.eventName === 'MODIFY') && record.dynamodb?.Keys?.[TABLE.sortKey]?.S === ORDER_SORT_KEY;
}

/**
 * Reads the table's stream on DynamoDB Local and hands batches to a stream handler, as the
 * Lambda event source mapping does in AWS (with its filter, `isOrderChange`). Starts at the
 * stream's current end. With `intervalMs: 0` it only reads when `pollOnce` is called. Records
 * come as the stream API gives them (attribute values unconverted), which is the Lambda event's
 * shape.
 */
export async function startStreamPoller(options: { endpoint: string; tableName: string; handler: StreamHandler; intervalMs?: number }) {
  const dynamo = createWireClient({ endpoint: options.endpoint });
  const streams = createWireClient({ endpoint: options.endpoint }, 'DynamoDBStreams_20120810');
  const table = (await dynamo('DescribeTable', { TableName: options.tableName })).Table as { LatestStreamArn?: string } | undefined;
  const streamArn = table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${options.tableName} has no stream`);

  const describe = async () => ((await streams('DescribeStream', { StreamArn: streamArn })).StreamDescription as { Shards?: Shard[] } | undefined)?.Shards ?? [];
  const iteratorOf = async (shard: Shard, type: 'LATEST' | 'TRIM_HORIZON') =>
    (await streams('GetShardIterator', { StreamArn: streamArn, ShardId: shard.ShardId, ShardIteratorType: type })).ShardIterator as string | undefined;

  const iterators = new Map<string, string | undefined>();
  let shards = await describe();
  for (const shard of shards) iterators.set(shard.ShardId, await iteratorOf(shard, 'LATEST'));

  // The shard list changes rarely (a shard closes and a child opens): it is read again once a
  // second at most, or at once when a shard has closed.
  let describedAt = performance.now();
  let shardClosed = false;

  /**
   * Reads every shard to its current end and hands the order changes to the handler; resolves
   * with how many there were once they are handled. The handler's own writes add records, so a
   * caller that waits for quiet polls until a poll finds no order change.
   */
  const pollOnce = async (): Promise<number> => {
    let handled = 0;
    if (shardClosed || performance.now() - describedAt > 1000) {
      shards = await describe();
      describedAt = performance.now();
      shardClosed = false;
    }
    for (const shard of shards) {
      if (!iterators.has(shard.ShardId)) iterators.set(shard.ShardId, await iteratorOf(shard, 'TRIM_HORIZON'));
      for (;;) {
        const iterator = iterators.get(shard.ShardId);
        if (!iterator) break; // a closed shard, read to its end
        const page = await streams('GetRecords', { ShardIterator: iterator, Limit: PAGE });
        const records = (page.Records ?? []) as StreamRecord[];
        const changes = records.filter(isOrderChange).map(toLambdaRecord);
        if (changes.length) {
          await options.handler({ Records: changes });
          handled += changes.length;
        }
        iterators.set(shard.ShardId, page.NextShardIterator as string | undefined);
        if (!page.NextShardIterator) shardClosed = true;
        // A page that is full, or cut short by the 1 MB limit on an answer, may have more behind it.
        const bytes = records.reduce((sum, record) => sum + (record.dynamodb?.SizeBytes ?? 0), 0);
        if (records.length < PAGE && bytes < PAGE_BYTES / 2) break;
      }
    }
    // A shard read to its end: its records go on in the shards that follow it, read now (a poll
    // that found nothing must mean the stream is quiet).
    return shardClosed ? handled + (await pollOnce()) : handled;
  };

  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();
  const schedule = () => {
    timer = setTimeout(() => {
      running = pollOnce()
        .then(() => undefined)
        .catch((error: Error) => console.error(`stream poller: ${error.message}`))
        .finally(schedule);
    }, options.intervalMs ?? 1000);
  };
  if (options.intervalMs !== 0) schedule(); // 0: the caller polls (tests)
  return {
    pollOnce,
    stop: async () => {
      clearTimeout(timer);
      await running;
    },
  };
}

function toLambdaRecord(record: StreamRecord): StreamRecord {
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventSource: 'aws:dynamodb',
    awsRegion: 'local',
    dynamodb: record.dynamodb,
  };
}
