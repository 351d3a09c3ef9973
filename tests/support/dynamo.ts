import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { sdkDocumentClient } from '../../local/dynamodb-local.ts';
import { ensureTable } from '../../local/table.ts';
import type { CapacityListener } from '../../shared/store/careline-store.ts';
import { WebhookStore } from '../../shared/store/webhook-store.ts';
import { createDocumentClient } from '../../shared/store/dynamo-client.ts';

/** A fresh table on the run's DynamoDB Local, for one test file. */
export async function createTestTable(prefix = 'test', onCapacity?: CapacityListener) {
  const endpoint = inject('dynamoEndpoint');
  const tableName = `${prefix}-${randomUUID().slice(0, 8)}`;
  await ensureTable(endpoint, tableName);
  const client = createDocumentClient({ endpoint });
  const store = new WebhookStore({ client, tableName, ...(onCapacity ? { onCapacity } : {}) });
  /** Every item in the table, read with the AWS SDK (tests only: the product's client has no Scan). */
  const scanner = sdkDocumentClient(endpoint);
  const allItems = async () => {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await scanner.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  };
  return { endpoint, tableName, client, store, allItems };
}
