/**
 * Time is injected (DESIGN principle 2): domain code receives a Clock and never reads the
 * wall clock itself, so the same code runs under the real clock in Lambda, a virtual clock
 * in the simulator and a fixed clock in tests.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface ManualClock extends Clock {
  set(at: Date | string): void;
  advance(ms: number): void;
}

export function manualClock(start: Date | string): ManualClock {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    set: (at) => {
      current = new Date(at).getTime();
    },
    advance: (ms) => {
      current += ms;
    },
  };
}
