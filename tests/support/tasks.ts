import type { ManualClock } from '../../shared/clock.ts';
import { type DispatchOptions, DEFAULT_DISPATCH, type DispatcherDeps, runDispatcher } from '../../shared/tasks/dispatcher.ts';

/** Runs the dispatcher on a manual clock with a stopwatch that never runs out unless told. */
export function dispatcherFor(deps: Omit<DispatcherDeps, 'elapsedMs' | 'clock'> & { clock: ManualClock }, options: Partial<DispatchOptions> = {}) {
  return (overrides: Partial<DispatcherDeps> = {}) =>
    runDispatcher({ elapsedMs: () => 0, ...deps, ...overrides }, { ...DEFAULT_DISPATCH, concurrency: 4, ...options });
}
