import { describe, expect, it } from 'vitest';
import { bufferCounters, CounterBuffer, withCounterBuffer } from '../../shared/store/counter-buffer.ts';

function recordingWrite() {
  const writes: [string, Record<string, number>, string][] = [];
  const write = async (shopId: string, counters: Record<string, number>, at: Date) => {
    writes.push([shopId, counters, at.toISOString().slice(0, 10)]);
  };
  return { writes, write };
}

const at = (iso: string) => new Date(iso);

describe('counters added up per run', () => {
  it('sums per shop and UTC day, and writes each sum once', async () => {
    const buffer = new CounterBuffer();
    buffer.add('tea', at('2026-11-23T01:00:00Z'), { sent_order_shipped: 1, sent_sms: 1, smsSegments: 2 });
    buffer.add('tea', at('2026-11-23T23:59:00Z'), { sent_sms: 1, smsSegments: 1 });
    buffer.add('tea', at('2026-11-24T00:00:00Z'), { sent_sms: 1 });
    buffer.add('coffee', at('2026-11-23T05:00:00Z'), { skipped_quiet: 1 });
    const { writes, write } = recordingWrite();
    await buffer.flush(write);
    expect(writes.sort()).toEqual(
      [
        ['coffee', { skipped_quiet: 1 }, '2026-11-23'],
        ['tea', { sent_order_shipped: 1, sent_sms: 2, smsSegments: 3 }, '2026-11-23'],
        ['tea', { sent_sms: 1 }, '2026-11-24'],
      ].sort(),
    );
    await buffer.flush(write);
    expect(writes).toHaveLength(3); // emptied
  });

  it('writes the other sums when one write fails, then reports the failure', async () => {
    const buffer = new CounterBuffer();
    buffer.add('a', at('2026-11-23T01:00:00Z'), { n: 1 });
    buffer.add('b', at('2026-11-23T01:00:00Z'), { n: 1 });
    const written: string[] = [];
    await expect(
      buffer.flush(async (shopId) => {
        if (shopId === 'a') throw new Error('throttled');
        written.push(shopId);
      }),
    ).rejects.toThrow('throttled');
    expect(written).toEqual(['b']);
  });

  it('buffers inside a run and writes at its end, also when the run fails; writes at once outside a run', async () => {
    const { writes, write } = recordingWrite();
    // As JourneyStore.addCounters does: buffered in a scope, written at once outside.
    const count = async (shopId: string, when: Date, counters: Record<string, number>) => {
      if (!bufferCounters(shopId, when, counters)) await write(shopId, counters, when);
    };
    await count('tea', at('2026-11-23T01:00:00Z'), { outside: 1 });
    expect(writes).toHaveLength(1);
    const errors: unknown[] = [];
    await expect(
      withCounterBuffer(
        write,
        async () => {
          await count('tea', at('2026-11-23T01:00:00Z'), { n: 1 });
          await Promise.all([count('tea', at('2026-11-23T02:00:00Z'), { n: 1 }), count('tea', at('2026-11-23T03:00:00Z'), { n: 1 })]);
          expect(writes).toHaveLength(1); // nothing written during the run
          throw new Error('run failed');
        },
        (error) => errors.push(error),
      ),
    ).rejects.toThrow('run failed');
    expect(writes.slice(1)).toEqual([['tea', { n: 3 }, '2026-11-23']]);
    expect(errors).toEqual([]);
  });

  it('keeps two runs going at once apart', async () => {
    const { writes, write } = recordingWrite();
    const count = async (shopId: string, when: Date, counters: Record<string, number>) => {
      if (!bufferCounters(shopId, when, counters)) await write(shopId, counters, when);
    };
    const run = (shopId: string, n: number) =>
      withCounterBuffer(write, async () => {
        for (let i = 0; i < n; i++) {
          await count(shopId, at('2026-11-23T01:00:00Z'), { n: 1 });
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      }, () => {});
    await Promise.all([run('a', 3), run('b', 2)]);
    expect(writes.sort()).toEqual([['a', { n: 3 }, '2026-11-23'], ['b', { n: 2 }, '2026-11-23']]);
  });
});
