import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { type DispatchReport, DEFAULT_DISPATCH } from '../../shared/tasks/dispatcher.ts';
import { engineFor } from '../engine.ts';
import { countDispatcherRun, getMetrics } from '../metrics.ts';
import { busPublisherFor } from '../../shared/events/eventbridge-publisher.ts';
import { getRuntime, logger } from '../runtime.ts';

/** Time kept back from the Lambda timeout: the run stops taking work this long before it. */
const SAFETY_MS = 20_000;

/** Runs every minute (EventBridge rule): takes the due tasks and runs them. */
async function dispatch(_event: ScheduledEvent, context: Context): Promise<DispatchReport> {
  const runtime = getRuntime(busPublisherFor);
  const engine = engineFor(runtime);
  const started = performance.now();
  const report = await engine.dispatch(runtime.clock, () => performance.now() - started, {
    ...DEFAULT_DISPATCH,
    budgetMs: Math.max(context.getRemainingTimeInMillis() - SAFETY_MS, 5_000),
  });
  logger.info('dispatcher run', { ...report });
  // EMF metrics: the dashboard and the alarms on dead tasks and dispatcher lag read these.
  countDispatcherRun(getMetrics(), report);
  return report;
}

export const handler = middy<ScheduledEvent, DispatchReport>().handler(dispatch);
