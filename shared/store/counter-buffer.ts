import { AsyncLocalStorage } from 'node:async_hooks';

/** Counters are kept per UTC day. */
export const dayOf = (at: Date) => at.toISOString().slice(0, 10);

type WriteCounters = (shopId: string, counters: Record<string, number>, at: Date) => Promise<void>;

/**
 * Adds counters up in memory, per shop and UTC day, and writes each day's sum with one ADD. A
 * dispatcher run and an order-stream batch collect their counters this way: a run that sends a
 * minute's messages makes one counter write per shop instead of one per message.
 */
export class CounterBuffer {
  readonly #sums = new Map<string, { shopId: string; at: Date; counters: Record<string, number> }>();

  add(shopId: string, at: Date, counters: Record<string, number>): void {
    const key = `${shopId}|${dayOf(at)}`;
    const entry = this.#sums.get(key) ?? { shopId, at, counters: {} };
    for (const [name, value] of Object.entries(counters)) entry.counters[name] = (entry.counters[name] ?? 0) + value;
    this.#sums.set(key, entry);
  }

  /** Writes the sums (each shop and day side by side) and empties the buffer. */
  async flush(write: WriteCounters): Promise<void> {
    const entries = [...this.#sums.values()];
    this.#sums.clear();
    const results = await Promise.allSettled(entries.map((entry) => write(entry.shopId, entry.counters, entry.at)));
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

const active = new AsyncLocalStorage<CounterBuffer>();

/**
 * Counters added while `work` runs (`JourneyStore.addCounters`, through `bufferCounters`) are
 * summed and written once it ends, whether it succeeded or not. A process that dies before then
 * loses that run's counts (they are report figures; what they count is recorded elsewhere: the
 * message ledger, the orders).
 */
export async function withCounterBuffer<T>(write: WriteCounters, work: () => Promise<T>, onFlushError: (error: unknown) => void): Promise<T> {
  const buffer = new CounterBuffer();
  try {
    return await active.run(buffer, work);
  } finally {
    await buffer.flush(write).catch(onFlushError);
  }
}

/** Adds to the counting scope's buffer when there is one (true); false when the caller should write at once. */
export function bufferCounters(shopId: string, at: Date, counters: Record<string, number>): boolean {
  const buffer = active.getStore();
  if (!buffer) return false;
  buffer.add(shopId, at, counters);
  return true;
}
