import { beforeEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../shared/clock.ts';
import { TaskStore } from '../../shared/store/task-store.ts';
import type { TaskHandler, TaskRunResult } from '../../shared/tasks/dispatcher.ts';
import { bucketOf, MAX_ATTEMPTS } from '../../shared/tasks/task.ts';
import { sendMessageTask } from '../../shared/messages/message-task.ts';
import { createTestTable } from '../support/dynamo.ts';
import { dispatcherFor } from '../support/tasks.ts';

let tasks: TaskStore;
let runs: string[];
const clock = manualClock('2026-11-23T10:00:00.000Z');
const record: TaskHandler = async (task) => {
  runs.push(task.taskKey);
  return { outcome: 'done' };
};

beforeEach(async () => {
  // A fresh table per test: the watermark is per table.
  const table = await createTestTable('dispatch');
  tasks = new TaskStore({ client: table.client, tableName: table.tableName });
  runs = [];
  clock.set('2026-11-23T10:00:00.000Z');
});

const at = (iso: string) => new Date(iso);
const schedule = (taskKey: string, dueAt: string, extra: { priority?: number; payload?: Record<string, unknown>; kind?: string; firstDueAt?: Date } = {}) =>
  tasks.schedule({ shopId: 'tea-house', taskKey, kind: extra.kind ?? 'test', dueAt: at(dueAt), ...extra }, clock.now());

describe('scheduling by key', () => {
  it('is idempotent, and a task can be moved or cancelled by its key', async () => {
    expect(await schedule('reminder:1', '2026-11-23T12:00:00.000Z')).toBe('scheduled');
    expect(await schedule('reminder:1', '2026-11-23T13:00:00.000Z')).toBe('exists');
    expect((await tasks.get('tea-house', 'reminder:1'))?.dueAt).toBe('2026-11-23T12:00:00.000Z');
    expect(await tasks.move('tea-house', 'reminder:1', at('2026-11-23T14:00:00.000Z'), clock.now())).toBe(true);
    expect((await tasks.get('tea-house', 'reminder:1'))?.dueAt).toBe('2026-11-23T14:00:00.000Z');
    expect(await tasks.cancel('tea-house', 'reminder:1', clock.now())).toBe(true);
    expect(await tasks.cancel('tea-house', 'reminder:1', clock.now())).toBe(false);
    clock.set('2026-11-23T15:00:00.000Z');
    await dispatcherFor({ tasks, handlers: { test: record }, clock })();
    expect(runs).toEqual([]);
  });
});

describe('a task the planner held past quiet hours', () => {
  it('is due when they end and remembers when it was wanted (a message expires from then); an earlier due time has nothing to remember', async () => {
    await schedule('held', '2026-11-24T01:00:00.000Z', { firstDueAt: at('2026-11-23T14:10:00.000Z') });
    expect(await tasks.get('tea-house', 'held')).toMatchObject({ dueAt: '2026-11-24T01:00:00.000Z', firstDueAt: '2026-11-23T14:10:00.000Z' });
    await schedule('plain', '2026-11-23T12:00:00.000Z', { firstDueAt: at('2026-11-23T13:00:00.000Z') });
    expect(await tasks.get('tea-house', 'plain')).toMatchObject({ dueAt: '2026-11-23T12:00:00.000Z', firstDueAt: '2026-11-23T12:00:00.000Z' });
  });
});

describe('the dispatcher', () => {
  it('runs a task exactly at its due time, across a bucket boundary', async () => {
    await schedule('edge', '2026-11-23T10:05:00.000Z');
    const run = dispatcherFor({ tasks, handlers: { test: record }, clock });
    clock.set('2026-11-23T10:04:59.999Z');
    await run();
    expect(runs).toEqual([]);
    clock.set('2026-11-23T10:05:00.000Z');
    expect(bucketOf(clock.now())).toBe('2026-11-23T10:05');
    await run();
    expect(runs).toEqual(['edge']);
    await run();
    expect(runs).toEqual(['edge']); // done tasks leave the index
  });

  it('catches up on every bucket missed during an outage, and moves its watermark forward', async () => {
    for (let i = 0; i < 30; i++) await schedule(`t${i}`, new Date(Date.parse('2026-11-23T10:01:00.000Z') + i * 7 * 60_000).toISOString());
    const run = dispatcherFor({ tasks, handlers: { test: record }, clock });
    await run(); // before the outage: nothing due yet
    clock.set('2026-11-23T14:00:00.000Z'); // four hours later
    const report = await run();
    expect(runs).toHaveLength(30);
    expect(report.lagMs).toBe(4 * 3600_000 - 60_000);
    expect(report.watermark > '2026-11-23T13:00').toBe(true);
  });

  it('retries a failing task with growing delays, then buries it as dead and says so', async () => {
    const dead: string[] = [];
    let calls = 0;
    const flaky: TaskHandler = async () => {
      calls++;
      return { outcome: 'retry', error: 'ThrottledException' };
    };
    await schedule('flaky', '2026-11-23T10:00:00.000Z');
    const run = dispatcherFor({ tasks, handlers: { test: flaky }, clock, onDead: async (task) => void dead.push(task.taskKey) });
    const delays: number[] = [];
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      await run();
      const task = await tasks.get('tea-house', 'flaky');
      if (task?.status === 'pending') {
        delays.push(Date.parse(task.dueAt) - clock.now().getTime());
        clock.set(task.dueAt);
      }
    }
    expect(calls).toBe(MAX_ATTEMPTS);
    expect(delays).toEqual([30_000, 60_000, 120_000, 240_000, 480_000]);
    expect((await tasks.get('tea-house', 'flaky'))?.status).toBe('dead');
    expect(dead).toEqual(['flaky']);
    expect((await tasks.listDead('tea-house')).map((t) => t.taskKey)).toEqual(['flaky']);
    // An operator puts it back; it runs again.
    expect(await tasks.retryDead('tea-house', 'flaky', clock.now())).toBe(true);
    await run({ handlers: { test: record } });
    expect(runs).toEqual(['flaky']);
  });

  it('reschedules a task when its handler says so', async () => {
    const later: TaskHandler = async (task) =>
      task.note ? record(task, clock.now()) : ({ outcome: 'reschedule', dueAt: at('2026-11-24T01:00:00.000Z'), note: 'deferred: quiet hours' } as TaskRunResult);
    await schedule('night', '2026-11-23T10:00:00.000Z');
    // A day in one step: let one run read every bucket in between (a live dispatcher runs every minute).
    const run = dispatcherFor({ tasks, handlers: { test: later }, clock }, { maxBuckets: 12 * 24 });
    await run();
    expect(await tasks.get('tea-house', 'night')).toMatchObject({ status: 'pending', dueAt: '2026-11-24T01:00:00.000Z', note: 'deferred: quiet hours' });
    clock.set('2026-11-24T01:00:00.000Z');
    await run();
    expect(runs).toEqual(['night']);
  });

  it('claims a task without writing the due index: a task run to the end costs 5 write units', async () => {
    const table = await createTestTable('dispatch-units');
    const units: Record<string, number> = {};
    const metered = new TaskStore({ client: table.client, tableName: table.tableName, onCapacity: (operation, used) => void (units[operation] = (units[operation] ?? 0) + used.write) });
    await metered.schedule({ shopId: 'tea-house', taskKey: 'once', kind: 'test', dueAt: at('2026-11-23T10:00:00.000Z'), payload: { customerId: 'c1' } }, clock.now());
    await dispatcherFor({ tasks: metered, handlers: { test: record }, clock })();
    expect(runs).toEqual(['once']);
    // Table and index on scheduling, the table alone on claiming, both when it leaves the index.
    expect(units).toMatchObject({ scheduleTask: 2, claimTask: 1, completeTask: 2 });
  });

  it('a first payment reminder carrying its last chance, with 19-digit ids, still fits one write unit per write', async () => {
    const table = await createTestTable('dispatch-units');
    const units: Record<string, number> = {};
    const metered = new TaskStore({ client: table.client, tableName: table.tableName, onCapacity: (operation, used) => void (units[operation] = (units[operation] ?? 0) + used.write) });
    const [shopId, orderId, customerId] = ['lotus-tea-house-hangzhou', '5912345678901234567', '7012345678901234567'];
    const task = sendMessageTask({
      shopId,
      customerId,
      kind: 'payment_reminder',
      messageKey: `payment-reminder:${orderId}:1`,
      dueAt: clock.now(),
      phone: '+8613800138000',
      variant: 'returning',
      journey: { orderId, stopIf: ['paid', 'cancelled', 'closed', 'refunded'], cutoff: true },
      then: { kind: 'payment_last_chance', messageKey: `payment-reminder:${orderId}:last`, dueAt: at('2026-11-24T01:00:00.000Z'), firstDueAt: at('2026-11-24T00:00:00.000Z') },
    });
    await metered.schedule({ ...task, kind: 'test' }, clock.now());
    await dispatcherFor({ tasks: metered, handlers: { test: record }, clock })();
    expect(runs).toEqual([task.taskKey]);
    expect(units).toMatchObject({ scheduleTask: 2, claimTask: 1, completeTask: 2 });
  });

  it('runs higher-priority tasks of a customer first', async () => {
    await schedule('low', '2026-11-23T09:59:00.000Z', { priority: 10, payload: { customerId: 'c1' } });
    await schedule('high', '2026-11-23T10:00:00.000Z', { priority: 80, payload: { customerId: 'c1' } });
    await dispatcherFor({ tasks, handlers: { test: record }, clock })();
    expect(runs).toEqual(['high', 'low']);
  });

  it('stops taking work when its time budget is spent and leaves the rest for the next run', async () => {
    for (let i = 0; i < 5; i++) await schedule(`b${i}`, '2026-11-23T09:58:00.000Z', { payload: { customerId: `c${i}` } });
    let elapsed = 0;
    const slow: TaskHandler = async (task) => {
      elapsed += 15_000;
      return record(task, clock.now());
    };
    const run = dispatcherFor({ tasks, handlers: { test: slow }, clock }, { concurrency: 1, budgetMs: 40_000 });
    const first = await run({ elapsedMs: () => elapsed });
    expect(first.done).toBe(3);
    expect(first.leftOver).toBe(2);
    elapsed = 0;
    await run({ elapsedMs: () => elapsed });
    expect(runs.sort()).toEqual(['b0', 'b1', 'b2', 'b3', 'b4']);
  });

  it('hands a handler what it read while the task was claimed, never runs a task another run holds, and survives a failed early read', async () => {
    await schedule('early', '2026-11-23T09:59:00.000Z', { payload: { customerId: 'c1' } });
    await schedule('held', '2026-11-23T09:59:00.000Z', { payload: { customerId: 'c2' } });
    await schedule('flaky', '2026-11-23T09:59:00.000Z', { payload: { customerId: 'c3' } });
    // Another run holds `held`.
    const held = (await tasks.listTasks('tea-house', 'pending')).find((task) => task.taskKey === 'held')!;
    expect(await tasks.claim(held, clock.now(), 120_000)).toHaveProperty('claimed');
    const prefetched: string[] = [];
    const seen: Record<string, unknown> = {};
    const reading: TaskHandler = async (task, _now, early) => {
      seen[task.taskKey] = await early?.catch((error: Error) => `failed: ${error.message}`);
      return record(task, clock.now());
    };
    reading.prefetch = (task) => {
      prefetched.push(task.taskKey);
      return task.taskKey === 'flaky' ? Promise.reject(new Error('throttled')) : Promise.resolve(`read for ${String(task.payload.customerId)}`);
    };
    const report = await dispatcherFor({ tasks, handlers: { test: reading }, clock })();
    expect(runs.sort()).toEqual(['early', 'flaky']);
    expect(seen).toEqual({ early: 'read for c1', flaky: 'failed: throttled' });
    expect(prefetched.sort()).toEqual(['early', 'flaky', 'held']); // a read may be wasted on a task lost to another run
    expect(report.done).toBe(2);
  });
});

describe('crashes and races', () => {
  it.each(['afterClaim', 'afterRun'] as const)('a run that dies %s leaves the task to the next run once its lease expires', async (point) => {
    await schedule('crash', '2026-11-23T10:00:00.000Z');
    const run = dispatcherFor({ tasks, handlers: { test: record }, clock });
    await expect(
      run({
        crashPoints: {
          [point]: () => {
            throw new Error('process died');
          },
        },
      }),
    ).rejects.toThrow('process died');
    expect((await tasks.get('tea-house', 'crash'))?.status).toBe('leased');

    clock.advance(60_000); // still leased: nobody takes it
    await run();
    expect(runs.length).toBe(point === 'afterRun' ? 1 : 0);

    clock.advance(120_000); // the lease has expired
    await run();
    expect((await tasks.get('tea-house', 'crash'))?.status).toBe('done');
    // The handler ran again after the crash: what it sends is guarded by the message ledger.
    expect(runs).toEqual(point === 'afterRun' ? ['crash', 'crash'] : ['crash']);
  });

  it('a follow-up a done task names is scheduled before the task is done: a run that dies after the handler leaves both to the next run', async () => {
    await schedule('first', '2026-11-23T10:00:00.000Z');
    const then = { shopId: 'tea-house', taskKey: 'second', kind: 'test', dueAt: at('2026-11-23T12:00:00.000Z') };
    const chaining: TaskHandler = async (task) => {
      runs.push(task.taskKey);
      return task.taskKey === 'first' ? { outcome: 'done', then } : { outcome: 'done' };
    };
    const run = dispatcherFor({ tasks, handlers: { test: chaining }, clock });
    const die = { crashPoints: { afterRun: () => { throw new Error('process died'); } } };
    await expect(run(die)).rejects.toThrow('process died');
    expect(await tasks.get('tea-house', 'second')).toBeUndefined();
    clock.advance(180_000); // the lease has expired: the next run does it all
    await run();
    expect((await tasks.get('tea-house', 'first'))?.status).toBe('done');
    expect(await tasks.get('tea-house', 'second')).toMatchObject({ status: 'pending', dueAt: '2026-11-23T12:00:00.000Z' });
    clock.set('2026-11-23T12:00:00.000Z');
    await run();
    expect(runs).toEqual(['first', 'first', 'second']);
  });

  it('a follow-up that cannot be scheduled leaves its task to run again shortly, not done and without counting a failed attempt', async () => {
    await schedule('first', '2026-11-23T10:00:00.000Z');
    const chaining: TaskHandler = async () => ({ outcome: 'done', then: { shopId: 'tea-house', taskKey: 'second', kind: 'test', dueAt: at('2026-11-23T12:00:00.000Z') } });
    tasks.schedule = async () => {
      throw new Error('throttled');
    };
    const report = await dispatcherFor({ tasks, handlers: { test: chaining }, clock })();
    expect(report.rescheduled).toBe(1);
    expect(await tasks.get('tea-house', 'first')).toMatchObject({ status: 'pending', attempts: 0, dueAt: '2026-11-23T10:00:30.000Z', note: expect.stringContaining('follow-up not scheduled: Error: throttled') });
  });

  it('a follow-up cancelled ahead (before the run that makes it) is not made', async () => {
    await schedule('first', '2026-11-23T10:00:00.000Z');
    await tasks.cancelAhead('tea-house', 'second', clock.now(), 'call outcome: declined');
    await tasks.cancelAhead('tea-house', 'first', clock.now(), 'call outcome: declined'); // a waiting one is simply cancelled
    expect(await tasks.get('tea-house', 'first')).toMatchObject({ status: 'cancelled', note: 'call outcome: declined' });
    await schedule('first-b', '2026-11-23T10:00:00.000Z');
    const chaining: TaskHandler = async (task) => {
      runs.push(task.taskKey);
      return { outcome: 'done', then: { shopId: 'tea-house', taskKey: 'second', kind: 'test', dueAt: at('2026-11-23T10:00:00.000Z') } };
    };
    await dispatcherFor({ tasks, handlers: { test: chaining }, clock })();
    expect(runs).toEqual(['first-b']);
    expect(await tasks.get('tea-house', 'second')).toMatchObject({ status: 'cancelled', note: 'call outcome: declined' });
  });

  it('two dispatchers racing for the same due tasks run each task once', async () => {
    for (let i = 0; i < 40; i++) await schedule(`race${i}`, '2026-11-23T09:59:00.000Z', { payload: { customerId: `c${i % 7}` } });
    const run = dispatcherFor({ tasks, handlers: { test: record }, clock });
    const [a, b] = await Promise.all([run(), run()]);
    expect(runs.sort()).toEqual(Array.from({ length: 40 }, (_, i) => `race${i}`).sort());
    expect(a.done + b.done).toBe(40);
    expect(a.skipped + b.skipped).toBeGreaterThanOrEqual(0);
  });
});
