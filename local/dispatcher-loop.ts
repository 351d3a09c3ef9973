import { engineFor } from '../functions/engine.ts';
import type { Runtime } from '../functions/runtime.ts';
import { DEFAULT_DISPATCH } from '../shared/tasks/dispatcher.ts';

/** Runs the dispatcher on a timer, one run at a time, as the EventBridge rule does in AWS. */
export function startDispatcherLoop(runtime: Runtime, intervalMs: number) {
  const engine = engineFor(runtime);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const tick = () => {
    const started = performance.now();
    running = engine
      .dispatch(runtime.clock, () => performance.now() - started, DEFAULT_DISPATCH)
      .then((report) => {
        if (report.claimed) console.log(`dispatcher: ${report.done} done, ${report.rescheduled} deferred, ${report.retried} to retry, ${report.dead} dead`);
      })
      .catch((error: Error) => console.error(`dispatcher: ${error.message}`))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  timer = setTimeout(tick, Math.min(intervalMs, 5_000));
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
