import type * as z from 'zod/mini';
import type { TaskHandler } from '../tasks/dispatcher.ts';
import { isMessageKind, type MessageKind } from './kinds.ts';
import type { Task } from '../tasks/task.ts';
import { followUpTask, type journeyGuardSchema, messageTaskPayloadSchema } from './message-task.ts';
import type { Recipient } from '../store/message-store.ts';
import { type PipelineDeps, type PipelineResult, type PrepareContext, type PrepareResult, recipientRead, runSendPipeline } from './send-pipeline.ts';

type PrepareInput = { shopId: string; customerId: string; kind: MessageKind; guard: z.infer<typeof journeyGuardSchema> };

/** Checks a journey message when it is due: a reason not to send it, or the variables it needs. */
export interface MessagePreparer {
  /** `early` is what `prefetch` started for the same message, if anything (a failed early read is made again). */
  (input: PrepareInput, context: PrepareContext, early?: Promise<unknown>): Promise<PrepareResult>;
  /** A read of the message's order that the check needs, started while the task is being claimed. */
  prefetch?: (input: { shopId: string; orderId: string }) => Promise<unknown> | undefined;
}

/** What the handler's prefetch starts: the recipient, and the preparer's own read. */
interface EarlyReads {
  recipient: Promise<Recipient>;
  prepare?: Promise<unknown>;
}

/** What the handler does around the pipeline: journey checks before, and what follows a result (metrics, a check-in awaiting its reply). */
export interface SendHooks {
  prepare?: MessagePreparer;
  after?: (task: Task, kind: MessageKind, result: PipelineResult) => Promise<void>;
}

/** A follow-up due sooner than this after the message it follows was sent is left out. */
export const FOLLOW_UP_MIN_GAP_MS = 2 * 3_600_000;

/** Runs the send pipeline for a due message task and tells the dispatcher what became of it. */
export function sendMessageHandler(deps: PipelineDeps, hooks: SendHooks = {}): TaskHandler {
  const { prepare } = hooks;
  const handler: TaskHandler = async (task, _now, started) => {
    const parsed = messageTaskPayloadSchema.safeParse(task.payload);
    if (!parsed.success) return { outcome: 'failed', error: `bad payload: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}` };
    const payload = parsed.data;
    const early = (await started) as EarlyReads | undefined;
    const input = (guard: z.infer<typeof journeyGuardSchema>): PrepareInput => ({ shopId: task.shopId, customerId: payload.customerId, kind: payload.kind as MessageKind, guard });
    // A message its journey stopped (the order was paid) takes its follow-up with it.
    let stoppedByJourney = false;
    const check = async (guard: z.infer<typeof journeyGuardSchema>, context: PrepareContext) => {
      const prepared = await prepare!(input(guard), context, early?.prepare);
      if ('skip' in prepared) stoppedByJourney = true;
      return prepared;
    };
    const result = await runSendPipeline(
      {
        shopId: task.shopId,
        customerId: payload.customerId,
        kind: payload.kind as MessageKind,
        messageKey: payload.messageKey,
        vars: payload.vars,
        ...(payload.variant ? { variant: payload.variant } : {}),
        firstDueAt: new Date(task.firstDueAt),
        ...(payload.phoneDigest ? { phoneDigest: payload.phoneDigest } : {}),
        ...(payload.journey && prepare
          ? { prepare: (context: PrepareContext) => check(payload.journey!, context) }
          : {}),
      },
      deps,
      early?.recipient,
    );
    await hooks.after?.(task, payload.kind as MessageKind, result);
    const next = stoppedByJourney ? undefined : followUpTask(task.shopId, payload);
    const then = next ? { then: next } : {};
    switch (result.status) {
      case 'sent':
        // A follow-up comes well after the message it follows, on the times they really go (the
        // journeys plan a 2 h gap on wanted times; quiet hours can hold both to the same morning).
        if (next && next.dueAt.getTime() < deps.clock.now().getTime() + FOLLOW_UP_MIN_GAP_MS) {
          return { outcome: 'done', note: `sent by ${result.channel}; ${payload.then!.kind} left out: it would follow within 2 h` };
        }
        return { outcome: 'done', note: `sent by ${result.channel}`, ...then };
      case 'skipped':
        return { outcome: 'done', note: `not sent: ${result.reason}`, ...then };
      case 'deferred':
        return { outcome: 'reschedule', dueAt: result.until, note: `deferred: ${result.reason}` };
      case 'retry':
        return { outcome: 'retry', error: result.reason };
    }
  };
  // A message that could not be sent still leaves its follow-up (the last chance after a first
  // reminder that kept failing): that one is checked, and may fail, on its own.
  handler.followUpOnDeath = (task) => {
    const parsed = messageTaskPayloadSchema.safeParse(task.payload);
    return parsed.success ? followUpTask(task.shopId, parsed.data) : undefined;
  };
  // The recipient (profile, the contact budget unless the kind is exempt, the SMS opt-out of the
  // number planned for) and what the journey check reads (the order) are read while the task is
  // claimed.
  // (Only the fields these reads need are looked at: the handler checks the whole payload.)
  handler.prefetch = (task) => {
    const { customerId, kind, phoneDigest, journey } = task.payload as { customerId?: unknown; kind?: unknown; phoneDigest?: unknown; journey?: { orderId?: unknown } };
    if (typeof customerId !== 'string' || !customerId || typeof kind !== 'string' || !isMessageKind(kind)) return undefined;
    const recipient = deps.messages.recipient(task.shopId, customerId, recipientRead({ kind, ...(typeof phoneDigest === 'string' ? { phoneDigest } : {}) }));
    const orderId = journey?.orderId;
    const preparing = typeof orderId === 'string' ? prepare?.prefetch?.({ shopId: task.shopId, orderId }) : undefined;
    recipient.catch(() => {});
    preparing?.catch(() => {});
    return Promise.resolve<EarlyReads>({ recipient, ...(preparing ? { prepare: preparing } : {}) });
  };
  return handler;
}
