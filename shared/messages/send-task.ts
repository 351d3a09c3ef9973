import * as z from 'zod';
import type { TaskHandler } from '../tasks/dispatcher.ts';
import type { ScheduleRequest } from '../tasks/task.ts';
import { isMessageKind, kindSpec, type MessageKind } from './kinds.ts';
import type { Task } from '../tasks/task.ts';
import type { Recipient } from '../store/message-store.ts';
import { type PipelineDeps, type PipelineResult, type PrepareContext, type PrepareResult, runSendPipeline } from './send-pipeline.ts';

export const SEND_MESSAGE_TASK = 'send_message';

/**
 * What a journey message checks and fills in when it is due, rather than when it was planned:
 * the order may have been paid, the customer may have ordered again, the parcel moved on.
 */
export const journeyGuardSchema = z.object({
  /** The order the message is about: its variables are read from it when the message is due. */
  orderId: z.string().optional(),
  /** Not sent once the order has reached any of these milestones. */
  stopIf: z.array(z.string()).default([]),
  /** Not sent if the customer has ordered after this time. */
  orderedAfter: z.string().optional(),
  /** Fill in today's dispatch cut-off when it can still be made. */
  cutoff: z.boolean().default(false),
});
export type JourneyGuard = z.input<typeof journeyGuardSchema>;

const payloadSchema = z.object({
  customerId: z.string().min(1),
  kind: z.string().refine(isMessageKind, 'unknown message kind'),
  messageKey: z.string().min(1),
  vars: z.record(z.string(), z.string()).default({}),
  variant: z.string().optional(),
  journey: journeyGuardSchema.optional(),
});

/** Checks a journey message when it is due: a reason not to send it, or the variables it needs. */
export type MessagePreparer = (
  input: { shopId: string; customerId: string; kind: MessageKind; guard: z.infer<typeof journeyGuardSchema> },
  context: PrepareContext,
) => Promise<PrepareResult>;

/** A task that sends one message through the pipeline when it is due. */
export function sendMessageTask(input: {
  shopId: string;
  customerId: string;
  kind: MessageKind;
  messageKey: string;
  dueAt: Date;
  vars?: Record<string, string>;
  variant?: string;
  journey?: JourneyGuard;
  /** A task key of its own, for a task that sends a new message each time it is re-armed (default `msg:<messageKey>`). */
  taskKey?: string;
}): ScheduleRequest {
  return {
    shopId: input.shopId,
    taskKey: input.taskKey ?? `msg:${input.messageKey}`,
    kind: SEND_MESSAGE_TASK,
    dueAt: input.dueAt,
    priority: kindSpec(input.kind).priority,
    payload: {
      customerId: input.customerId,
      kind: input.kind,
      messageKey: input.messageKey,
      vars: input.vars ?? {},
      ...(input.variant ? { variant: input.variant } : {}),
      ...(input.journey ? { journey: input.journey } : {}),
    },
  };
}

/** Runs the send pipeline for a due message task and tells the dispatcher what became of it. */
/** What the handler does around the pipeline: journey checks before, and what follows a result (metrics, a check-in awaiting its reply). */
export interface SendHooks {
  prepare?: MessagePreparer;
  after?: (task: Task, kind: MessageKind, result: PipelineResult) => Promise<void>;
}

export function sendMessageHandler(deps: PipelineDeps, hooks: SendHooks = {}): TaskHandler {
  const { prepare } = hooks;
  const handler: TaskHandler = async (task, _now, early) => {
    const parsed = payloadSchema.safeParse(task.payload);
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
  // The recipient (profile, and the contact budget unless the kind is exempt) is read while the task is claimed.
  handler.prefetch = (task) => {
    const { customerId, kind } = task.payload;
    if (typeof customerId !== 'string' || !customerId || typeof kind !== 'string' || !isMessageKind(kind)) return undefined;
    return deps.messages.recipient(task.shopId, customerId, kindSpec(kind).class !== 'transactional');
  };
  return handler;
}
