import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { sdkDocumentClient } from '../../local/dynamodb-local.ts';
import { createDocumentClient, type DocumentClient, DynamoDBError } from '../../shared/store/dynamo-client.ts';
import { isConditionalCheckFailed } from '../../shared/store/errors.ts';
import { createTestTable } from '../support/dynamo.ts';

// Careline's own DynamoDB client against DynamoDB Local, read back and cross-checked with the
// AWS SDK's document client: the same values in and out, the same error names.
let table: Awaited<ReturnType<typeof createTestTable>>;
let client: DocumentClient;
let sdk: DynamoDBDocumentClient;
beforeAll(async () => {
  table = await createTestTable('client');
  client = createDocumentClient({ endpoint: table.endpoint });
  sdk = sdkDocumentClient(table.endpoint);
});

const value = {
  text: '您好 hello',
  count: 42,
  price: 19.99,
  negative: -7,
  flag: true,
  nothing: null,
  list: [1, 'two', { three: 3 }],
  nested: { deeper: { deepest: ['a', 'b'] } },
  tags: new Set(['vip', 'returning']),
  empty: '',
};

describe("Careline's DynamoDB client", () => {
  it('writes items the SDK reads back unchanged, and reads what the SDK wrote', async () => {
    await client.put({ TableName: table.tableName, Item: { pk: 'c#1', sk: 'a', ...value, dropped: undefined } });
    const viaSdk = await sdk.send(new GetCommand({ TableName: table.tableName, Key: { pk: 'c#1', sk: 'a' } }));
    expect(viaSdk.Item).toEqual({ pk: 'c#1', sk: 'a', ...value });

    await sdk.send(new PutCommand({ TableName: table.tableName, Item: { pk: 'c#1', sk: 'b', ...value } }));
    const ours = await client.get({ TableName: table.tableName, Key: { pk: 'c#1', sk: 'b' }, ConsistentRead: true });
    expect(ours.Item).toEqual({ pk: 'c#1', sk: 'b', ...value });
    expect((await client.get({ TableName: table.tableName, Key: { pk: 'c#1', sk: 'missing' } })).Item).toBeUndefined();
  });

  it('updates with expressions and returns the new values; reports consumed capacity when asked', async () => {
    const result = await client.update({
      TableName: table.tableName,
      Key: { pk: 'c#2', sk: 'counter' },
      UpdateExpression: 'SET #n = if_not_exists(#n, :zero) + :one, #t = :tags',
      ExpressionAttributeNames: { '#n': 'n', '#t': 'tags' },
      ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':tags': new Set(['x']) },
      ReturnValues: 'ALL_NEW',
      ReturnConsumedCapacity: 'TOTAL',
    });
    expect(result.Attributes).toEqual({ pk: 'c#2', sk: 'counter', n: 1, tags: new Set(['x']) });
    expect(result.ConsumedCapacity?.CapacityUnits).toBeGreaterThan(0);
  });

  it('names a failed condition as the SDK does, with the stored item when asked for it', async () => {
    await client.put({ TableName: table.tableName, Item: { pk: 'c#3', sk: 'x', status: 'done' } });
    const failure = await client
      .update({
        TableName: table.tableName,
        Key: { pk: 'c#3', sk: 'x' },
        UpdateExpression: 'SET #s = :leased',
        ConditionExpression: '#s = :pending',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':leased': 'leased', ':pending': 'pending' },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DynamoDBError);
    expect(failure).toMatchObject({ name: 'ConditionalCheckFailedException', statusCode: 400, retryable: false });
    expect((failure as DynamoDBError).Item).toEqual({ pk: { S: 'c#3' }, sk: { S: 'x' }, status: { S: 'done' } });
    expect(isConditionalCheckFailed(failure)).toBe(true);
  });

  it('reports a cancelled transaction with its reasons, and applies nothing of it', async () => {
    await client.put({ TableName: table.tableName, Item: { pk: 'c#4', sk: 'mark' } });
    const failure = await client
      .transactWrite({
        TransactItems: [
          { Update: { TableName: table.tableName, Key: { pk: 'c#4', sk: 'counter' }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': 1 } } },
          { Put: { TableName: table.tableName, Item: { pk: 'c#4', sk: 'mark' }, ConditionExpression: 'attribute_not_exists(pk)' } },
        ],
      })
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'TransactionCanceledException' });
    expect((failure as DynamoDBError).CancellationReasons?.map((reason) => reason.Code)).toEqual(['None', 'ConditionalCheckFailed']);
    expect((failure as Error).message).toContain('ConditionalCheckFailed');
    expect(isConditionalCheckFailed(failure)).toBe(true);
    expect((await client.get({ TableName: table.tableName, Key: { pk: 'c#4', sk: 'counter' }, ConsistentRead: true })).Item).toBeUndefined();

    await client.transactWrite({
      TransactItems: [
        { Update: { TableName: table.tableName, Key: { pk: 'c#4', sk: 'counter' }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': 1 } } },
        { ConditionCheck: { TableName: table.tableName, Key: { pk: 'c#4', sk: 'mark' }, ConditionExpression: 'attribute_exists(pk)' } },
        { Delete: { TableName: table.tableName, Key: { pk: 'c#4', sk: 'gone' } } },
      ],
    });
    expect((await client.get({ TableName: table.tableName, Key: { pk: 'c#4', sk: 'counter' }, ConsistentRead: true })).Item).toEqual({ pk: 'c#4', sk: 'counter', n: 1 });
  });

  it('writes and reads in batches, and pages a query with the key it returns', async () => {
    const items = Array.from({ length: 25 }, (_, i) => ({ pk: 'c#5', sk: `i${String(i).padStart(2, '0')}`, i, tags: new Set([`t${i}`]) }));
    const written = await client.batchWrite({ RequestItems: { [table.tableName]: items.map((Item) => ({ PutRequest: { Item } })) } });
    expect(written.UnprocessedItems?.[table.tableName] ?? []).toEqual([]);

    const read = await client.batchGet({ RequestItems: { [table.tableName]: { Keys: [items[3]!, items[17]!, { pk: 'c#5', sk: 'none' }].map(({ pk, sk }) => ({ pk, sk })) } } });
    expect(read.Responses?.[table.tableName]?.sort((a, b) => String(a.sk).localeCompare(String(b.sk)))).toEqual([items[3], items[17]]);

    const pages: Record<string, unknown>[][] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await client.query({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :i)',
        ExpressionAttributeValues: { ':pk': 'c#5', ':i': 'i' },
        Limit: 10,
        ExclusiveStartKey: start,
      });
      pages.push(page.Items ?? []);
      start = page.LastEvaluatedKey;
    } while (start);
    expect(pages.map((page) => page.length)).toEqual([10, 10, 5]);
    expect(pages.flat()).toEqual(items);
    const viaSdk = await sdk.send(new QueryCommand({ TableName: table.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'c#5' } }));
    expect(viaSdk.Items).toEqual(items);

    await client.batchWrite({ RequestItems: { [table.tableName]: items.slice(0, 5).map(({ pk, sk }) => ({ DeleteRequest: { Key: { pk, sk } } })) } });
    const left = await client.query({ TableName: table.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'c#5' }, Select: 'COUNT' });
    expect(left.Count).toBe(20);
  });

  it('deletes an item and returns what it held', async () => {
    await client.put({ TableName: table.tableName, Item: { pk: 'c#6', sk: 'x', note: 'bye' } });
    const deleted = await client.delete({ TableName: table.tableName, Key: { pk: 'c#6', sk: 'x' }, ReturnValues: 'ALL_OLD' });
    expect(deleted.Attributes).toEqual({ pk: 'c#6', sk: 'x', note: 'bye' });
  });

  it('refuses a request DynamoDB finds invalid at once, with its message and no retry', async () => {
    const failure = await client.get({ TableName: 'no-such-table', Key: { pk: 'x', sk: 'y' } }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'ResourceNotFoundException', statusCode: 400, retryable: false });
    expect((failure as Error).message).toMatch(/non-existent table|not found/i);
  });
});
