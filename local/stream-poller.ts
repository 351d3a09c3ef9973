import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';

type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * Reads the table's stream on DynamoDB Local and hands batches to a stream handler, as the
 * Lambda event source mapping does in AWS. Starts at the stream's current end. With
 * `intervalMs: 0` it only reads when `pollOnce` is called.
 */
export async function startStreamPoller(options: { endpoint: string; tableName: string; handler: StreamHandler; intervalMs?: number }) {
  const dynamo = new DynamoDBClient({ endpoint: options.endpoint, region: 'us-east-1', credentials });
  const streams = new DynamoDBStreamsClient({ endpoint: options.endpoint, region: 'us-east-1', credentials });
  const table = await dynamo.send(new DescribeTableCommand({ TableName: options.tableName }));
  const streamArn = table.Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${options.tableName} has no stream`);

  const iterators = new Map<string, string | undefined>();
  const described = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  for (const shard of described.StreamDescription?.Shards ?? []) {
    const iterator = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId!, ShardIteratorType: 'LATEST' }));
    iterators.set(shard.ShardId!, iterator.ShardIterator);
  }

  // The shard list changes rarely (a shard closes and a child opens): it is read again once a
  // second at most, or at once when a shard has closed.
  let shards = described.StreamDescription?.Shards ?? [];
  let describedAt = performance.now();
  let shardClosed = false;

  /** Reads every shard once; resolves when the records read so far are handled. */
  const pollOnce = async (): Promise<number> => {
    let handled = 0;
    if (shardClosed || performance.now() - describedAt > 1000) {
      shards = (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription?.Shards ?? [];
      describedAt = performance.now();
      shardClosed = false;
    }
    for (const shard of shards) {
      if (!iterators.has(shard.ShardId!)) {
        const iterator = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }));
        iterators.set(shard.ShardId!, iterator.ShardIterator);
      }
      // One page per shard and poll (up to 1,000 records); the rest waits for the next poll. The
      // handler's own writes add records, so a caller that waits for quiet polls again anyway.
      const iterator = iterators.get(shard.ShardId!);
      if (!iterator) continue; // a closed shard, read to its end
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
      const records = page.Records ?? [];
      if (records.length) {
        await options.handler({ Records: records.map(toLambdaRecord) });
        handled += records.length;
      }
      iterators.set(shard.ShardId!, page.NextShardIterator);
      if (!page.NextShardIterator) shardClosed = true;
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
      dynamo.destroy();
      streams.destroy();
    },
  };
}

function toLambdaRecord(record: _Record): DynamoDBStreamEvent['Records'][number] {
  return {
    eventID: record.eventID,
    eventName: record.eventName as 'INSERT' | 'MODIFY' | 'REMOVE',
    eventSource: 'aws:dynamodb',
    awsRegion: 'local',
    dynamodb: record.dynamodb as DynamoDBStreamEvent['Records'][number]['dynamodb'],
  };
}
