import type { Clock } from '../clock.ts';
import type { TaskCompletion, TaskStore } from '../store/task-store.ts';
import { BUCKET_MS, bucketOf, bucketStart, type DueTask, MAX_ATTEMPTS, nextBucket, retryDelayMs, type ScheduleRequest, type Task } from './task.ts';

/**
 * What a task handler decided. `retry` is a transient failure; `failed` will never succeed. A
 * done task may name a task to schedule next (`then`): it is scheduled before this one is marked
 * done, so a run that dies in between leaves this one to run again and schedule it then. (A
 * task that dies schedules what its handler's `followUpOnDeath` names.)
 */
export type TaskRunResult =
  | { outcome: 'done'; note?: string; then?: ScheduleRequest }
  | { outcome: 'reschedule'; dueAt: Date; note?: string }
  | { outcome: 'retry'; error: string }
  | { outcome: 'failed'; error: string };

export interface TaskHandler {
  /** Runs a claimed task; `early` is what `prefetch` started for it, if anything. */
  (task: Task, now: Date, early?: Promise<unknown>): Promise<TaskRunResult>;
  /** Reads without side effects that may start while the task is being claimed (one round trip less per task). */
  prefetch?: (task: DueTask) => Promise<unknown> | undefined;
  /** What to schedule when the task dies (a message's planned follow-up still goes without it). */
  followUpOnDeath?: (task: Task) => ScheduleRequest | undefined;
}

/** Points where a test can stop the dispatcher dead, as a crashed process would. */
export interface CrashPoints {
  afterClaim?(task: Task): void;
  afterRun?(task: Task, result: TaskRunResult): void;
}

export interface DispatcherDeps {
  tasks: TaskStore;
  handlers: Record<string, TaskHandler>;
  clock: Clock;
  /** Milliseconds spent so far in this run (a monotonic stopwatch, not the domain clock). */
  elapsedMs: () => number;
  /** Told about every task that just died (ops alert, metric). */
  onDead?: (task: Task, error: string) => Promise<void>;
  crashPoints?: CrashPoints;
}

export interface DispatchOptions {
  /** Stop taking new work after this long (well before the Lambda timeout). */
  budgetMs: number;
  /** A claimed task is someone else's to take over after this long. */
  leaseMs: number;
  /** At most this many due buckets per run (catching up after an outage takes several runs). */
  maxBuckets: number;
  /** Tasks read per index partition per run. */
  queryLimit: number;
  /** Customers handled at once (one customer's tasks always run one after another). */
  concurrency: number;
}

export const DEFAULT_DISPATCH: DispatchOptions = { budgetMs: 40_000, leaseMs: 120_000, maxBuckets: 48, queryLimit: 200, concurrency: 8 };

/** First run ever: look this far back (tasks are never indexed in a bucket older than their scheduling time). */
const FIRST_RUN_LOOKBACK_MS = 60 * 60_000;

export interface DispatchReport {
  bucketsRead: number;
  seen: number;
  claimed: number;
  done: number;
  rescheduled: number;
  retried: number;
  dead: number;
  /** Lost to another dispatcher, or already finished. */
  skipped: number;
  /** Left for the next run because the time budget ran out. */
  leftOver: number;
  /** A due-index partition held more due tasks than one query reads: the next run takes the rest. */
  backlog: boolean;
  /** Age of the oldest due task seen, at the start of the run. */
  lagMs: number;
  watermark: string;
}

/**
 * One dispatcher run: read the due buckets from the watermark to now, claim each due task,
 * run it, and complete, reschedule, retry or bury it. Its cost grows with the work that is due
 * (one index query per bucket and shard, one claim and one completion per task), never with
 * the number of tasks or customers in the table.
 */
export async function runDispatcher(deps: DispatcherDeps, options: DispatchOptions = DEFAULT_DISPATCH): Promise<DispatchReport> {
  const startedAt = deps.clock.now();
  const currentBucket = bucketOf(startedAt);
  const from = (await deps.tasks.getWatermark()) ?? bucketOf(new Date(startedAt.getTime() - FIRST_RUN_LOOKBACK_MS));
  const report: DispatchReport = { bucketsRead: 0, seen: 0, claimed: 0, done: 0, rescheduled: 0, retried: 0, dead: 0, skipped: 0, leftOver: 0, backlog: false, lagMs: 0, watermark: from };

  // Read the due buckets, oldest first; remember which ones may still hold unfinished work.
  const due: { task: DueTask; bucket: string }[] = [];
  const unfinished = new Set<string>();
  let bucket = from;
  for (let n = 0; n < options.maxBuckets && bucket <= currentBucket; n++, bucket = nextBucket(bucket)) {
    const pages = await Promise.all(Array.from({ length: deps.tasks.dueShards }, (_, shard) => deps.tasks.queryDue(bucket, shard, startedAt, options.queryLimit)));
    report.bucketsRead++;
    for (const page of pages) {
      if (page.length >= options.queryLimit) {
        unfinished.add(bucket);
        report.backlog = true;
      }
      for (const task of page) due.push({ task, bucket });
    }
  }
  const lastBucketRead = bucket; // the first bucket not read
  report.seen = due.length;
  const oldest = due.reduce((min, { task }) => (task.dueAt < min ? task.dueAt : min), startedAt.toISOString());
  report.lagMs = Math.max(startedAt.getTime() - new Date(oldest).getTime(), 0);

  // Higher priority first (it wins a contested contact-budget slot), then the longest waiting.
  due.sort((a, b) => b.task.priority - a.task.priority || a.task.dueAt.localeCompare(b.task.dueAt));
  const queues = new Map<string, { task: DueTask; bucket: string }[]>();
  for (const entry of due) {
    const group = `${entry.task.shopId}|${String(entry.task.payload.customerId ?? entry.task.taskKey)}`;
    queues.set(group, [...(queues.get(group) ?? []), entry]);
  }
  const groups = [...queues.values()];
  const worker = async () => {
    for (let group = groups.shift(); group; group = groups.shift()) {
      for (const entry of group) {
        if (deps.elapsedMs() > options.budgetMs) {
          report.leftOver++;
          unfinished.add(entry.bucket);
          continue;
        }
        const finished = await runOne(entry.task, deps, options, report);
        if (!finished) unfinished.add(entry.bucket);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));

  // The watermark moves to the oldest bucket that may still hold unfinished work, and never past
  // the previous bucket: the index is eventually consistent and schedulers' clocks differ a little.
  const safeLimit = bucketOf(new Date(bucketStart(currentBucket).getTime() - BUCKET_MS));
  const candidates = [...unfinished, lastBucketRead, safeLimit].sort();
  const watermark = candidates[0]! < from ? from : candidates[0]!;
  if (watermark > from) await deps.tasks.advanceWatermark(watermark);
  report.watermark = watermark > from ? watermark : from;
  return report;
}

/** Claims, runs and completes one task; false when it is still unfinished (leased elsewhere). */
async function runOne(task: DueTask, deps: DispatcherDeps, options: DispatchOptions, report: DispatchReport): Promise<boolean> {
  const now = deps.clock.now();
  const handler = deps.handlers[task.kind];
  // The handler's first reads overlap the claim; a failed read is made again by the handler.
  const early = handler?.prefetch?.(task);
  early?.catch(() => {});
  const claim = await deps.tasks.claim(task, now, options.leaseMs);
  if ('gone' in claim) {
    report.skipped++;
    return true;
  }
  if ('busyUntil' in claim) {
    report.skipped++;
    return false;
  }
  const claimed = claim.claimed;
  report.claimed++;
  deps.crashPoints?.afterClaim?.(claimed);

  let result: TaskRunResult;
  try {
    result = handler ? await handler(claimed, now, early) : { outcome: 'failed', error: `no handler for task kind ${claimed.kind}` };
  } catch (error) {
    result = { outcome: 'retry', error: describeError(error) };
  }
  deps.crashPoints?.afterRun?.(claimed, result);

  let completion = completionFor(claimed, result, deps.clock.now());
  // What follows the task is scheduled before the task is finished (by key: a second run
  // schedules nothing twice). A done task whose follow-up could not be scheduled runs again
  // shortly (its message is not sent twice: the ledger), without counting a failed attempt; a
  // dead one stays dead, with both errors.
  const next = result.outcome === 'done' ? result.then : completion.outcome === 'dead' ? handler?.followUpOnDeath?.(claimed) : undefined;
  if (next) {
    try {
      await deps.tasks.schedule(next, deps.clock.now());
    } catch (error) {
      const why = `follow-up not scheduled: ${describeError(error)}`;
      completion =
        completion.outcome === 'dead'
          ? { outcome: 'dead', error: `${completion.error}; ${why}`.slice(0, 300) }
          : { outcome: 'reschedule', dueAt: new Date(deps.clock.now().getTime() + retryDelayMs(1)), note: why };
    }
  }
  const completed = await deps.tasks.complete(claimed, completion, deps.clock.now());
  if (!completed) {
    report.skipped++; // our lease ran out and another run took over
    return true;
  }
  report[completion.outcome === 'reschedule' ? 'rescheduled' : completion.outcome === 'retry' ? 'retried' : completion.outcome]++;
  if (completion.outcome === 'dead') await deps.onDead?.(claimed, completion.error);
  return true;
}

function completionFor(task: Task, result: TaskRunResult, now: Date): TaskCompletion {
  switch (result.outcome) {
    case 'done':
      return { outcome: 'done', ...(result.note ? { note: result.note } : {}) };
    case 'reschedule':
      return { outcome: 'reschedule', dueAt: result.dueAt, ...(result.note ? { note: result.note } : {}) };
    case 'failed':
      return { outcome: 'dead', error: result.error };
    case 'retry': {
      const attempts = task.attempts + 1;
      if (attempts >= MAX_ATTEMPTS) return { outcome: 'dead', error: result.error };
      return { outcome: 'retry', dueAt: new Date(now.getTime() + retryDelayMs(attempts)), error: result.error };
    }
  }
}

function describeError(error: unknown): string {
  const e = error as Error;
  return `${e?.name ?? 'Error'}: ${String(e?.message ?? error).slice(0, 200)}`;
}
