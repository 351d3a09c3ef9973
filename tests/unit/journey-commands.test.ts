import { describe, expect, it } from 'vitest';
import { manualClock } from '../../shared/clock.ts';
import type { JourneyCommand } from '../../shared/journeys/commands.ts';
import { applyJourneyCommands, type JourneyDeps } from '../../shared/journeys/journey-runtime.ts';
import type { OrderRecord } from '../../shared/orders/order-record.ts';

/** Deps whose writes take a while and log when they start and end, so overlaps show. */
function recordingDeps() {
  const log: string[] = [];
  const write = (name: string) => async () => {
    log.push(`start ${name}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
    log.push(`end ${name}`);
  };
  const deps = {
    clock: manualClock('2026-11-23T04:00:00.000Z'),
    tasks: {
      schedule: (task: { taskKey: string }) => write(`schedule ${task.taskKey}`)(),
      cancel: (_shop: string, taskKey: string) => write(`cancel ${taskKey}`)(),
    },
    journeys: {
      addCounters: (_shop: string, counters: Record<string, number>) => write(`count ${Object.keys(counters).join(',')}`)(),
      addUnpaid: (_shop: string, _customer: string, unpaid: { orderId: string }) => write(`unpaid+ ${unpaid.orderId}`)(),
      removeUnpaid: (_shop: string, _customer: string, orderId: string) => write(`unpaid- ${orderId}`)(),
      listUnpaid: async () => {
        log.push('read unpaid');
        return [];
      },
    },
  } as unknown as JourneyDeps;
  return { deps, log };
}

const order = { shopId: 'shop', orderId: 'o-1' } as OrderRecord;
const schedule = (taskKey: string): JourneyCommand => ({ type: 'schedule', mode: 'keep', task: { shopId: 'shop', taskKey, kind: 'send_message', dueAt: new Date('2026-11-24T00:00:00.000Z'), payload: {} } });
const cancel = (taskKey: string): JourneyCommand => ({ type: 'cancel', taskKey, reason: 'paid' });
const count = (name: string): JourneyCommand => ({ type: 'count', counters: { [name]: 1 }, at: '2026-11-23T04:00:00.000Z' });

describe('applying journey commands', () => {
  it('writes different items side by side', async () => {
    const { deps, log } = recordingDeps();
    await applyJourneyCommands([schedule('a'), schedule('b'), count('orders'), { type: 'unpaid_add', customerId: 'c', orderId: 'o-1', createdAt: '', productKeys: [] }], order, deps);
    expect(log.slice(0, 4).every((line) => line.startsWith('start'))).toBe(true);
    expect(log).toHaveLength(8);
  });

  it('keeps the order of two commands on the same item', async () => {
    const { deps, log } = recordingDeps();
    await applyJourneyCommands([schedule('stall'), count('shipped'), cancel('stall'), schedule('other')], order, deps);
    expect(log.indexOf('end schedule stall')).toBeLessThan(log.indexOf('start cancel stall'));
    // The cancel and the next task go together, after the first batch.
    expect(log.slice(4, 6).sort()).toEqual(['start cancel stall', 'start schedule other']);
  });

  it('runs a command that reads first alone, after what came before and before what comes after', async () => {
    const { deps, log } = recordingDeps();
    await applyJourneyCommands([schedule('a'), { type: 'cancel_covered', customerId: 'c', paidOrderId: 'o-1', paidAt: '', productKeys: [] }, schedule('b')], order, deps);
    expect(log).toEqual(['start schedule a', 'end schedule a', 'read unpaid', 'start schedule b', 'end schedule b']);
  });

  it('fails when a command fails (the stream record is then retried; every command is idempotent)', async () => {
    const { deps } = recordingDeps();
    deps.tasks.cancel = async () => {
      throw new Error('throttled');
    };
    await expect(applyJourneyCommands([schedule('a'), cancel('b')], order, deps)).rejects.toThrow('throttled');
  });
});
