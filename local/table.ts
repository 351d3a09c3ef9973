import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { TABLE } from '../shared/store/keys.ts';
import { sdkClient } from './dynamodb-local.ts';

/**
 * Creates the Careline table on DynamoDB Local with the same keys, index and TTL as the CDK
 * stack (infra/), if it does not exist yet.
 */
export async function ensureTable(endpoint: string, tableName: string, options: { stream?: boolean } = {}): Promise<void> {
  const stream = options.stream ?? true;
  const client = sdkClient(endpoint);
  try {
    try {
      const existing = await client.send(new DescribeTableCommand({ TableName: tableName }));
      if (stream && !existing.Table?.StreamSpecification?.StreamEnabled) {
        // Tables made before the order stream existed get it now.
        await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } }));
      }
      return;
    } catch (error) {
      if ((error as Error).name !== 'ResourceNotFoundException') throw error;
    }
    const { partitionKey, sortKey, dueIndex, ttlAttribute } = TABLE;
    try {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: 'PAY_PER_REQUEST',
          // Order changes flow from the stream to the domain-event publisher (functions/order-stream).
          ...(stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } } : {}),
          AttributeDefinitions: [partitionKey, sortKey, dueIndex.partitionKey, dueIndex.sortKey].map((name) => ({
            AttributeName: name,
            AttributeType: 'S',
          })),
          KeySchema: [
            { AttributeName: partitionKey, KeyType: 'HASH' },
            { AttributeName: sortKey, KeyType: 'RANGE' },
          ],
          GlobalSecondaryIndexes: [
            {
              IndexName: dueIndex.name,
              KeySchema: [
                { AttributeName: dueIndex.partitionKey, KeyType: 'HASH' },
                { AttributeName: dueIndex.sortKey, KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...dueIndex.projected] },
            },
          ],
        }),
      );
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
    await client.send(
      new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { Enabled: true, AttributeName: ttlAttribute } }),
    );
  } finally {
    client.destroy();
  }
}
