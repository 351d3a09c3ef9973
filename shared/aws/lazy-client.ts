/**
 * An AWS SDK client, or a way to make one when it is first needed. The SNS and EventBridge
 * clients each take about 50 ms to import: a function that makes its client on the first call
 * keeps that out of the runs that never call the service (a dispatcher minute with nothing to
 * send, a run with no stalled parcel to announce).
 */
export type ClientSource<C extends { send: unknown }> = C | (() => Promise<C>);

/** `make` runs on the first call, and again after a call that failed; every other call shares its client. */
export function lazyClient<C extends { send: unknown }>(make: () => Promise<C>): () => Promise<C> {
  let made: Promise<C> | undefined;
  return () =>
    (made ??= make().catch((error: unknown) => {
      made = undefined;
      throw error;
    }));
}

export async function clientOf<C extends { send: unknown }>(source: ClientSource<C>): Promise<C> {
  return typeof source === 'function' ? source() : source;
}
