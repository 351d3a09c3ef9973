import { createHash } from 'node:crypto';
import * as z from 'zod/mini';

/**
 * A task is any future action: a reminder in 2 hours, tomorrow's parcel update, a repurchase
 * nudge in 27 days. Its key is deterministic (e.g. `payment-reminder:<order>:1`), so scheduling
 * the same thing twice is one task, and it can be moved or cancelled by key.
 */
export const TASK_STATUSES = ['pending', 'leased', 'done', 'cancelled', 'dead'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const taskSchema = z.object({
  shopId: z.string(),
  taskKey: z.string().check(z.minLength(1), z.maxLength(300)),
  kind: z.string().check(z.minLength(1), z.maxLength(60)),
  dueAt: z.string(),
  /** The first due time asked for; a message task expires relative to it. */
  firstDueAt: z.string(),
  payload: z._default(z.record(z.string(), z.unknown()), {}),
  /** Higher runs first when several are due at once (a contested contact-budget slot). */
  priority: z._default(z.int(), 0),
  /** Runs that failed since the task was last scheduled or moved. */
  attempts: z._default(z.int().check(z.nonnegative()), 0),
  status: z.enum(TASK_STATUSES),
  leaseId: z.optional(z.string()),
  leaseUntil: z.optional(z.string()),
  lastError: z.optional(z.string()),
  /** The last thing the task's runs said (e.g. "deferred: quiet hours"). */
  note: z.optional(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Task = z.infer<typeof taskSchema>;

/** What the due index holds of a waiting task: enough to order, group and claim it. */
export const dueTaskSchema = z.pick(taskSchema, { shopId: true, taskKey: true, kind: true, dueAt: true, priority: true, payload: true });
export type DueTask = z.infer<typeof dueTaskSchema>;

export interface ScheduleRequest {
  shopId: string;
  taskKey: string;
  kind: string;
  dueAt: Date;
  /**
   * When the work was wanted, if the planner has already moved `dueAt` later (a message held
   * past quiet hours): a message expires relative to it. Default: `dueAt`.
   */
  firstDueAt?: Date;
  payload?: Record<string, unknown>;
  priority?: number;
}

/** Due buckets are 5 minutes wide: a minute-by-minute dispatcher reads one or two per run. */
export const BUCKET_MS = 5 * 60_000;
/**
 * Each bucket is spread over this many index partitions, so a million tasks due in one minute
 * have no hot partition. Every writer and the dispatcher of one table must agree on it: the
 * deployment always uses this; only the simulator, one shop in a fresh table, uses fewer.
 */
export const DUE_SHARDS = 8;
/** A shop's tasks are spread over this many table partitions (listing a shop reads them all). */
export const TASK_PARTITIONS = 16;

export function bucketOf(at: Date): string {
  return new Date(Math.floor(at.getTime() / BUCKET_MS) * BUCKET_MS).toISOString().slice(0, 16);
}

export function bucketStart(bucket: string): Date {
  return new Date(`${bucket}:00.000Z`);
}

export function nextBucket(bucket: string): string {
  return bucketOf(new Date(bucketStart(bucket).getTime() + BUCKET_MS));
}

function hashNumber(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0);
}

export function dueShardOf(shopId: string, taskKey: string, shards = DUE_SHARDS): number {
  return hashNumber(`${shopId}|${taskKey}`) % shards;
}

export function taskPartitionOf(taskKey: string): number {
  return hashNumber(taskKey) % TASK_PARTITIONS;
}

/** Retry delay after the n-th failed run: 30 s, 1 min, 2 min … capped at one hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(30_000 * 2 ** Math.max(attempts - 1, 0), 3_600_000);
}

/** After this many failed runs a task is dead: visible and alerted on, no longer retried. */
export const MAX_ATTEMPTS = 6;
