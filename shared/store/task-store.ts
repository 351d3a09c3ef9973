import { unmarshall } from '@aws-sdk/util-dynamodb';
import { randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import {
  bucketOf,
  DUE_SHARDS,
  type DueTask,
  dueShardOf,
  dueTaskSchema,
  type ScheduleRequest,
  type Task,
  TASK_PARTITIONS,
  taskPartitionOf,
  taskSchema,
} from '../tasks/task.ts';
import { ConditionFailedError } from './errors.ts';
import { ItemStore, type StoreOptions } from './item-store.ts';
import { keys, TABLE } from './keys.ts';

/** Finished and cancelled tasks stay readable this long, then TTL removes them. */
const FINISHED_TASK_RETENTION_S = 30 * 24 * 3600;

export type ClaimResult = { claimed: Task } | { busyUntil: string } | { gone: true };

/** How a claimed task's run ended. */
export type TaskCompletion =
  | { outcome: 'done'; note?: string }
  | { outcome: 'reschedule'; dueAt: Date; note?: string }
  | { outcome: 'retry'; dueAt: Date; error: string }
  | { outcome: 'dead'; error: string };

const taskKeyOf = (shopId: string, taskKey: string) => keys.task(shopId, taskPartitionOf(taskKey), taskKey);
const epochSeconds = (at: Date) => Math.floor(at.getTime() / 1000);

/**
 * Tasks in the one table. A waiting task carries due-index keys (partition = due bucket +
 * shard); a finished one has none, so the index only ever holds work still to do. Every state
 * change is a conditional write, which is what makes two dispatchers racing safe.
 */
export class TaskStore extends ItemStore {
  /** Index partitions per due bucket (see DUE_SHARDS). */
  readonly dueShards: number;

  constructor(options: StoreOptions & { dueShards?: number }) {
    super(options);
    this.dueShards = options.dueShards ?? DUE_SHARDS;
  }

  /**
   * Schedules a task by key. `keep` (the default) leaves an existing task with the same key as
   * it is — scheduling is idempotent; `move` re-arms it for the new due time unless it is running.
   */
  async schedule(request: ScheduleRequest, now: Date, mode: 'keep' | 'move' = 'keep'): Promise<'scheduled' | 'exists'> {
    const dueAt = request.dueAt.toISOString();
    const task: Task = {
      shopId: request.shopId,
      taskKey: request.taskKey,
      kind: request.kind,
      dueAt,
      firstDueAt: request.firstDueAt && request.firstDueAt < request.dueAt ? request.firstDueAt.toISOString() : dueAt,
      payload: request.payload ?? {},
      priority: request.priority ?? 0,
      attempts: 0,
      status: 'pending',
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    try {
      await this.putItem('scheduleTask', taskKeyOf(task.shopId, task.taskKey), { ...task, ...this.#dueIndexKeys(task.shopId, task.taskKey, new Date(task.dueAt), now) }, {
        expression: mode === 'keep' ? 'attribute_not_exists(pk)' : 'attribute_not_exists(pk) OR #status <> :leased',
        ...(mode === 'move' ? { names: { '#status': 'status' }, values: { ':leased': 'leased' } } : {}),
      });
      return 'scheduled';
    } catch (error) {
      if (error instanceof ConditionFailedError || (error as Error).name === 'AlreadyExistsError') return 'exists';
      throw error;
    }
  }

  /** Moves a waiting task to a new due time; false when there is no waiting task with that key. */
  async move(shopId: string, taskKey: string, dueAt: Date, now: Date): Promise<boolean> {
    const index = this.#dueIndexKeys(shopId, taskKey, dueAt, now);
    return this.#transition('moveTask', shopId, taskKey, {
      set: { dueAt: dueAt.toISOString(), updatedAt: now.toISOString(), attempts: 0, ...index },
      condition: '#status = :pending',
      values: { ':pending': 'pending' },
    });
  }

  /**
   * Cancels a waiting task; false when there is none with that key. With `onlyForOrder`, only a
   * task scheduled for that order (payload.journey.orderId): a refund of one order must not
   * cancel a repurchase reminder a later order has since moved.
   */
  async cancel(shopId: string, taskKey: string, now: Date, note = 'cancelled', onlyForOrder?: string): Promise<boolean> {
    return this.#transition('cancelTask', shopId, taskKey, {
      set: { status: 'cancelled', note, updatedAt: now.toISOString(), [TABLE.ttlAttribute]: epochSeconds(now) + FINISHED_TASK_RETENTION_S },
      remove: [TABLE.dueIndex.partitionKey, TABLE.dueIndex.sortKey],
      condition: onlyForOrder === undefined ? '#status = :pending' : '#status = :pending AND #pl.#jr.#oid = :order',
      values: { ':pending': 'pending', ...(onlyForOrder === undefined ? {} : { ':order': onlyForOrder }) },
      ...(onlyForOrder === undefined ? {} : { names: { '#pl': 'payload', '#jr': 'journey', '#oid': 'orderId' } }),
    });
  }

  /**
   * Cancels a task that may not have been scheduled yet: when there is none, a cancelled one is
   * left under the key, so that scheduling it later (a follow-up made by a run already under
   * way) finds it and does nothing. Costs a write only when there was no waiting task.
   */
  async cancelAhead(shopId: string, taskKey: string, now: Date, note: string): Promise<void> {
    if (await this.cancel(shopId, taskKey, now, note)) return;
    const at = now.toISOString();
    const task: Task = { shopId, taskKey, kind: 'cancelled_ahead', dueAt: at, firstDueAt: at, payload: {}, priority: 0, attempts: 0, status: 'cancelled', note, createdAt: at, updatedAt: at };
    try {
      await this.putItem('cancelTask', taskKeyOf(shopId, taskKey), { ...task, [TABLE.ttlAttribute]: epochSeconds(now) + FINISHED_TASK_RETENTION_S }, { expression: 'attribute_not_exists(pk)' });
    } catch (error) {
      if (!(error instanceof ConditionFailedError) && (error as Error).name !== 'AlreadyExistsError') throw error;
    }
  }

  async get(shopId: string, taskKey: string): Promise<Task | undefined> {
    return this.getItem('getTask', taskKeyOf(shopId, taskKey), taskSchema, true);
  }

  /**
   * Tasks in one due-index partition whose due time has come (eventually consistent, as index
   * reads are), as the index holds them: the claim returns the whole task.
   */
  async queryDue(bucket: string, shard: number, now: Date, limit: number): Promise<DueTask[]> {
    const result = await this.client.query({
      TableName: this.table,
      IndexName: TABLE.dueIndex.name,
      KeyConditionExpression: '#pk = :pk AND #sk <= :upTo',
      ExpressionAttributeNames: { '#pk': TABLE.dueIndex.partitionKey, '#sk': TABLE.dueIndex.sortKey },
      ExpressionAttributeValues: { ':pk': keys.dueIndexPartition(bucket, shard), ':upTo': `${now.toISOString()}#\uffff` },
      Limit: limit,
      ReturnConsumedCapacity: this.capacity,
    });
    this.meter('queryDue', 'read', result.ConsumedCapacity);
    return (result.Items ?? []).map((item) => this.parse('queryDue', dueTaskSchema, item));
  }

  /**
   * Takes a due task for one run: it must still be waiting and due, or leased by a run whose
   * lease has expired (that run died). Undefined when another dispatcher got there first.
   */
  async claim(task: Pick<Task, 'shopId' | 'taskKey'>, now: Date, leaseMs: number): Promise<ClaimResult> {
    const leaseId = randomUUID();
    const leaseUntil = new Date(now.getTime() + leaseMs).toISOString();
    try {
      const result = await this.client.update({
        TableName: this.table,
        Key: taskKeyOf(task.shopId, task.taskKey),
        UpdateExpression: 'SET #status = :leased, leaseId = :lease, leaseUntil = :until, updatedAt = :now',
        ConditionExpression: '(#status = :pending AND dueAt <= :now) OR (#status = :leased AND leaseUntil < :now)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':leased': 'leased', ':pending': 'pending', ':lease': leaseId, ':until': leaseUntil, ':now': now.toISOString() },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        ReturnConsumedCapacity: this.capacity,
      });
      this.meter('claimTask', 'write', result.ConsumedCapacity);
      return { claimed: this.parse('claimTask', taskSchema, result.Attributes ?? {}) };
    } catch (error) {
      const mapped = this.storeError('claimTask', error);
      if (!(mapped instanceof ConditionFailedError)) throw mapped;
      // Who has it? A live lease elsewhere means the task is not finished yet.
      const raw = (error as { Item?: Record<string, never> }).Item;
      const current = raw ? taskSchema.safeParse(unmarshall(raw)) : undefined;
      const leasedElsewhere = current?.success && current.data.status === 'leased';
      return leasedElsewhere ? { busyUntil: current.data.leaseUntil ?? now.toISOString() } : { gone: true };
    }
  }

  /** Ends a claimed run; false when the lease was lost (another run took the task over). */
  async complete(task: Task, completion: TaskCompletion, now: Date): Promise<boolean> {
    const common = { updatedAt: now.toISOString() };
    const lease = { condition: '#status = :leased AND leaseId = :lease', values: { ':leased': 'leased', ':lease': task.leaseId } };
    const unlease = ['leaseId', 'leaseUntil'];
    const indexKeys = [TABLE.dueIndex.partitionKey, TABLE.dueIndex.sortKey];
    switch (completion.outcome) {
      case 'done':
        return this.#transition('completeTask', task.shopId, task.taskKey, {
          ...lease,
          set: { ...common, status: 'done', ...(completion.note ? { note: completion.note } : {}), [TABLE.ttlAttribute]: epochSeconds(now) + FINISHED_TASK_RETENTION_S },
          remove: [...unlease, ...indexKeys],
        });
      case 'reschedule':
      case 'retry': {
        const dueAt = completion.dueAt.toISOString();
        const index = this.#dueIndexKeys(task.shopId, task.taskKey, completion.dueAt, now);
        const set =
          completion.outcome === 'retry'
            ? { ...common, ...index, status: 'pending', dueAt, attempts: task.attempts + 1, lastError: completion.error }
            : { ...common, ...index, status: 'pending', dueAt, attempts: 0, ...(completion.note ? { note: completion.note } : {}) };
        return this.#transition('completeTask', task.shopId, task.taskKey, { ...lease, set, remove: unlease });
      }
      case 'dead':
        return this.#transition('completeTask', task.shopId, task.taskKey, {
          ...lease,
          set: { ...common, ...keys.deadIndex(task.shopId, now.toISOString(), task.taskKey), status: 'dead', attempts: task.attempts + 1, lastError: completion.error },
          remove: unlease,
        });
    }
  }

  /** Puts a dead task back in line, due now. */
  async retryDead(shopId: string, taskKey: string, now: Date): Promise<boolean> {
    const index = this.#dueIndexKeys(shopId, taskKey, now, now);
    return this.#transition('retryDeadTask', shopId, taskKey, {
      set: { status: 'pending', dueAt: now.toISOString(), attempts: 0, updatedAt: now.toISOString(), note: 'retried by an operator', ...index },
      condition: '#status = :dead',
      values: { ':dead': 'dead' },
    });
  }

  /** A shop's tasks (all of its task partitions), optionally of one status. For the CLI, not the hot path. */
  async listTasks(shopId: string, status?: Task['status']): Promise<Task[]> {
    const pages = await Promise.all(
      Array.from({ length: TASK_PARTITIONS }, (_, partition) => this.#queryAll('listTasks', keys.taskPartition(shopId, partition), status)),
    );
    return pages.flat().sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  }

  /**
   * Dead tasks of a shop, newest first: an index partition of their own, which holds their keys;
   * the tasks themselves are read from the table.
   */
  async listDead(shopId: string, limit = 100): Promise<Task[]> {
    const result = await this.client.query({
      TableName: this.table,
      IndexName: TABLE.dueIndex.name,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': TABLE.dueIndex.partitionKey },
      ExpressionAttributeValues: { ':pk': keys.deadIndexPartition(shopId) },
      ScanIndexForward: false,
      Limit: limit,
      ReturnConsumedCapacity: this.capacity,
    });
    this.meter('listDead', 'read', result.ConsumedCapacity);
    const found = (result.Items ?? []).map((item) => this.parse('listDead', dueTaskSchema, item));
    const stored = await this.batchGet('listDead', found.map((task) => taskKeyOf(task.shopId, task.taskKey)));
    const tasks = new Map(stored.map((item) => this.parse('listDead', taskSchema, item)).map((task) => [task.taskKey, task]));
    // Newest first, as the index ordered them; a task retried since it was listed is left out.
    return found.map((task) => tasks.get(task.taskKey)).filter((task): task is Task => task?.status === 'dead');
  }

  async getWatermark(): Promise<string | undefined> {
    const result = await this.getItem('getWatermark', keys.dispatcherWatermark(), taskWatermarkSchema, true);
    return result?.bucket;
  }

  /** Moves the watermark forward only (a slow run cannot move it back past a faster one). */
  async advanceWatermark(bucket: string): Promise<void> {
    try {
      await this.putItem('advanceWatermark', keys.dispatcherWatermark(), { bucket }, {
        expression: 'attribute_not_exists(pk) OR #bucket < :bucket',
        names: { '#bucket': 'bucket' },
        values: { ':bucket': bucket },
      });
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
    }
  }

  #dueIndexKeys(shopId: string, taskKey: string, dueAt: Date, now: Date) {
    // A task due in the past goes into the current bucket, which the dispatcher still reads.
    return keys.dueIndex(bucketOf(maxDate(dueAt, now)), dueShardOf(shopId, taskKey, this.dueShards), dueAt.toISOString(), shopId, taskKey);
  }

  async #transition(
    operation: string,
    shopId: string,
    taskKey: string,
    change: { set: Record<string, unknown>; remove?: string[]; condition: string; values: Record<string, unknown>; names?: Record<string, string> },
  ): Promise<boolean> {
    const names: Record<string, string> = { '#status': 'status', ...change.names };
    const values: Record<string, unknown> = { ...change.values };
    const sets = Object.entries(change.set).map(([attribute, value], i) => {
      names[`#s${i}`] = attribute;
      values[`:s${i}`] = value;
      return `#s${i} = :s${i}`;
    });
    const removes = (change.remove ?? []).map((attribute, i) => {
      names[`#r${i}`] = attribute;
      return `#r${i}`;
    });
    try {
      const result = await this.client.update({
        TableName: this.table,
        Key: taskKeyOf(shopId, taskKey),
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: change.condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnConsumedCapacity: this.capacity,
      });
      this.meter(operation, 'write', result.ConsumedCapacity);
      return true;
    } catch (error) {
      const mapped = this.storeError(operation, error);
      if (mapped instanceof ConditionFailedError) return false;
      throw mapped;
    }
  }

  async #queryAll(operation: string, pk: string, status: Task['status'] | undefined): Promise<Task[]> {
    const tasks: Task[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const result = await this.client.query({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ...(status ? { FilterExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' } } : {}),
        ExpressionAttributeValues: { ':pk': pk, ':prefix': 'K#', ...(status ? { ':status': status } : {}) },
        ExclusiveStartKey: start,
        ReturnConsumedCapacity: this.capacity,
      });
      this.meter(operation, 'read', result.ConsumedCapacity);
      tasks.push(...(result.Items ?? []).map((item) => this.parse(operation, taskSchema, item)));
      start = result.LastEvaluatedKey;
    } while (start);
    return tasks;
  }
}

const taskWatermarkSchema = z.object({ bucket: z.string() });

function maxDate(a: Date, b: Date): Date {
  return a.getTime() >= b.getTime() ? a : b;
}
