import * as z from 'zod';
import type { TaskHandler } from '../tasks/dispatcher.ts';
import type { ScheduleRequest } from '../tasks/task.ts';
import { isMessageKind, kindSpec, type MessageKind } from './kinds.ts';
import { type PipelineDeps, runSendPipeline } from './send-pipeline.ts';

export const SEND_MESSAGE_TASK = 'send_message';

const payloadSchema = z.object({
  customerId: z.string().min(1),
  kind: z.string().refine(isMessageKind, 'unknown message kind'),
  messageKey: z.string().min(1),
  vars: z.record(z.string(), z.string()).default({}),
  variant: z.string().optional(),
});

/** A task that sends one message through the pipeline when it is due. */
export function sendMessageTask(input: {
  shopId: string;
  customerId: string;
  kind: MessageKind;
  messageKey: string;
  dueAt: Date;
  vars?: Record<string, string>;
  variant?: string;
}): ScheduleRequest {
  return {
    shopId: input.shopId,
    taskKey: `msg:${input.messageKey}`,
    kind: SEND_MESSAGE_TASK,
    dueAt: input.dueAt,
    priority: kindSpec(input.kind).priority,
    payload: {
      customerId: input.customerId,
      kind: input.kind,
      messageKey: input.messageKey,
      vars: input.vars ?? {},
      ...(input.variant ? { variant: input.variant } : {}),
    },
  };
}

/** Runs the send pipeline for a due message task and tells the dispatcher what became of it. */
export function sendMessageHandler(deps: PipelineDeps): TaskHandler {
  return async (task) => {
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
      },
      deps,
    );
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
}
