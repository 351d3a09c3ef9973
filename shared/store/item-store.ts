import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import type { DocumentClient } from './dynamo-client.ts';
import type * as z from 'zod/mini';
import { AlreadyExistsError, ConditionFailedError, isConditionalCheckFailed, StoreError } from './errors.ts';
import type { ItemKey } from './keys.ts';

/** Receives the write and read units every call consumed (benchmarks and metrics listen here). */
export type CapacityListener = (operation: string, capacity: { read: number; write: number }) => void;

export interface StoreOptions {
  client: DocumentClient;
  tableName: string;
  onCapacity?: CapacityListener;
}

/**
 * What every store shares: the client, the table, capacity metering and the mapping of
 * DynamoDB errors to store errors. Every item read goes through a zod schema.
 */
export class ItemStore {
  protected readonly client: DocumentClient;
  protected readonly table: string;
  readonly #onCapacity: CapacityListener;
  /** Consumed capacity is asked for only when someone listens (benchmarks, the simulator). */
  protected readonly capacity: 'TOTAL' | undefined;

  constructor(options: StoreOptions) {
    this.client = options.client;
    this.table = options.tableName;
    this.#onCapacity = options.onCapacity ?? (() => {});
    this.capacity = options.onCapacity ? 'TOTAL' : undefined;
  }

  get tableName(): string {
    return this.table;
  }

  /** Options for a sibling store on the same table, metered by the same listener. */
  get siblingOptions(): StoreOptions {
    return { client: this.client, tableName: this.table, ...(this.capacity ? { onCapacity: this.#onCapacity } : {}) };
  }

  /** The client, for building sibling stores on the same table. */
  get documentClient(): DocumentClient {
    return this.client;
  }

  protected parse<S extends z.ZodMiniType>(operation: string, schema: S, item: Record<string, unknown>): z.infer<S> {
    const parsed = schema.safeParse(item);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
      throw new StoreError(`${operation}: stored item does not match its schema (${fields})`, { cause: parsed.error });
    }
    return parsed.data;
  }

  /**
   * Reads items by key (any number, 100 per request), as they are stored; missing ones are left
   * out. Keys DynamoDB leaves unprocessed (throttling) are asked for again with growing pauses;
   * a read that stays throttled fails rather than passing for missing items.
   */
  protected async batchGet(operation: string, itemKeys: readonly ItemKey[], consistent = false): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    for (let start = 0; start < itemKeys.length; start += 100) {
      let requested: Record<string, unknown>[] = itemKeys.slice(start, start + 100).map((key) => ({ pk: key.pk, sk: key.sk }));
      for (let attempt = 0; requested.length > 0; attempt++) {
        if (attempt > 8) throw new StoreError(`${operation}: the read kept being throttled`);
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
        const result = await this.client.batchGet({ RequestItems: { [this.table]: { Keys: requested, ConsistentRead: consistent } }, ReturnConsumedCapacity: this.capacity });
        this.meter(operation, 'read', result.ConsumedCapacity);
        items.push(...(result.Responses?.[this.table] ?? []));
        requested = result.UnprocessedKeys?.[this.table]?.Keys ?? [];
      }
    }
    return items;
  }

  /**
   * The items of one partition whose sort key has the prefix or lies in the range, as stored,
   * page after page (oldest key first unless `newestFirst`; up to `limit`).
   */
  protected async queryItems(
    operation: string,
    pk: string,
    sortKey: { prefix: string } | { from: string; to: string },
    options: { newestFirst?: boolean; limit?: number } = {},
  ): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.query({
        TableName: this.table,
        KeyConditionExpression: 'prefix' in sortKey ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': pk, ...('prefix' in sortKey ? { ':prefix': sortKey.prefix } : { ':from': sortKey.from, ':to': sortKey.to }) },
        ExclusiveStartKey: start,
        ScanIndexForward: !options.newestFirst,
        ...(options.limit ? { Limit: options.limit - items.length } : {}),
        ReturnConsumedCapacity: this.capacity,
      });
      this.meter(operation, 'read', page.ConsumedCapacity);
      items.push(...(page.Items ?? []));
      start = options.limit && items.length >= options.limit ? undefined : page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  protected async getItem<S extends z.ZodMiniType>(operation: string, key: ItemKey, schema: S, consistent = false): Promise<z.infer<S> | undefined> {
    const result = await this.client.get({ TableName: this.table, Key: key, ConsistentRead: consistent, ReturnConsumedCapacity: this.capacity });
    this.meter(operation, 'read', result.ConsumedCapacity);
    return result.Item ? this.parse(operation, schema, result.Item) : undefined;
  }

  /** A PutItem; with a condition, a failed one becomes `AlreadyExistsError` (for `attribute_not_exists`) or `ConditionFailedError`. */
  protected async putItem(operation: string, key: ItemKey, value: object, condition?: { expression: string; values?: Record<string, unknown>; names?: Record<string, string> }): Promise<void> {
    try {
      const result = await this.client.put({
        TableName: this.table,
        Item: { ...value, ...key },
        ConditionExpression: condition?.expression,
        ExpressionAttributeValues: condition?.values,
        ExpressionAttributeNames: condition?.names,
        ReturnConsumedCapacity: this.capacity,
      });
      this.meter(operation, 'write', result.ConsumedCapacity);
    } catch (error) {
      throw this.storeError(operation, error, condition?.expression === 'attribute_not_exists(pk)' ? AlreadyExistsError : ConditionFailedError);
    }
  }

  /** Maps an SDK error; a failed condition still consumed write units, which are metered. */
  protected storeError(operation: string, error: unknown, OnCondition: new (what: string, options?: { cause?: unknown }) => StoreError = ConditionFailedError): StoreError {
    if (error instanceof StoreError) return error;
    if (isConditionalCheckFailed(error)) {
      this.meter(operation, 'write', (error as { ConsumedCapacity?: ConsumedCapacity }).ConsumedCapacity);
      return new OnCondition(operation, { cause: error });
    }
    return new StoreError(`${operation} failed`, { cause: error });
  }

  protected meter(operation: string, kind: 'read' | 'write', consumed: ConsumedCapacity | ConsumedCapacity[] | undefined): void {
    for (const entry of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
      const units = entry.CapacityUnits ?? (entry.ReadCapacityUnits ?? 0) + (entry.WriteCapacityUnits ?? 0);
      this.#onCapacity(operation, kind === 'read' ? { read: units, write: 0 } : { read: 0, write: units });
    }
  }
}

/** Builds update expressions with a placeholder for every name and value. */
export function expressionBuilder() {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  let n = 0;
  return {
    names,
    values,
    name(attribute: string) {
      const placeholder = `#a${n++}`;
      names[placeholder] = attribute;
      return placeholder;
    },
    value(v: unknown) {
      const placeholder = `:v${n++}`;
      values[placeholder] = v;
      return placeholder;
    },
  };
}
