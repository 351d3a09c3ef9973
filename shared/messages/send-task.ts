import type * as z from 'zod/mini';
import type { TaskHandler } from '../tasks/dispatcher.ts';
import { isMessageKind, type MessageKind } from './kinds.ts';
import type { Task } from '../tasks/task.ts';
import { type journeyGuardSchema, messageTaskPayloadSchema } from './message-task.ts';
import type { Recipient } from '../store/message-store.ts';
import { type PipelineDeps, type PipelineResult, type PrepareContext, type PrepareResult, recipientRead, runSendPipeline } from './send-pipeline.ts';

/** Checks a journey message when it is due: a reason not to send it, or the variables it needs. */
export type MessagePreparer = (
  input: { shopId: string; customerId: string; kind: MessageKind; guard: z.infer<typeof journeyGuardSchema> },
  context: PrepareContext,
) => Promise<PrepareResult>;

/** What the handler does around the pipeline: journey checks before, and what follows a result (metrics, a check-in awaiting its reply). */
export interface SendHooks {
  prepare?: MessagePreparer;
  after?: (task: Task, kind: MessageKind, result: PipelineResult) => Promise<void>;
}

/** Runs the send pipeline for a due message task and tells the dispatcher what became of it. */
export function sendMessageHandler(deps: PipelineDeps, hooks: SendHooks = {}): TaskHandler {
  const { prepare } = hooks;
  const handler: TaskHandler = async (task, _now, early) => {
    const parsed = messageTaskPayloadSchema.safeParse(task.payload);
    if (!parsed.success) return { outcome: 'failed', error: `bad payload: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}` };
    const payload = parsed.data;
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
          ? { prepare: (context: PrepareContext) => prepare({ shopId: task.shopId, customerId: payload.customerId, kind: payload.kind as MessageKind, guard: payload.journey! }, context) }
          : {}),
      },
      deps,
      early as Promise<Recipient> | undefined,
    );
    await hooks.after?.(task, payload.kind as MessageKind, result);
    switch (result.status) {
      case 'sent':
        return { outcome: 'done', note: `sent by ${result.channel}` };
      case 'skipped':
        return { outcome: 'done', note: `not sent: ${result.reason}` };
      case 'deferred':
        return { outcome: 'reschedule', dueAt: result.until, note: `deferred: ${result.reason}` };
      case 'retry':
        return { outcome: 'retry', error: result.reason };
    }
  };
  // The recipient (profile, the contact budget unless the kind is exempt, the SMS opt-out of the
  // number planned for) is read while the task is claimed.
  handler.prefetch = (task) => {
    const { customerId, kind, phoneDigest } = task.payload;
    if (typeof customerId !== 'string' || !customerId || typeof kind !== 'string' || !isMessageKind(kind)) return undefined;
    return deps.messages.recipient(task.shopId, customerId, recipientRead({ kind, ...(typeof phoneDigest === 'string' ? { phoneDigest } : {}) }));
  };
  return handler;
}
