import * as z from 'zod/mini';
import { phoneDigest } from '../store/phone-digest.ts';
import type { ScheduleRequest } from '../tasks/task.ts';
import { isMessageKind, kindSpec, type MessageKind } from './kinds.ts';

// What a message task is, apart from how it runs (send-task.ts): the journeys plan these
// without loading the send pipeline and its template engine.

export const SEND_MESSAGE_TASK = 'send_message';

/**
 * What a journey message checks and fills in when it is due, rather than when it was planned:
 * the order may have been paid, the customer may have ordered again, the parcel moved on.
 */
export const journeyGuardSchema = z.object({
  /** The order the message is about: its variables are read from it when the message is due. */
  orderId: z.optional(z.string()),
  /** Not sent once the order has reached any of these milestones. */
  stopIf: z._default(z.array(z.string()), []),
  /** Not sent if the customer has ordered after this time. */
  orderedAfter: z.optional(z.string()),
  /** Fill in today's dispatch cut-off when it can still be made. */
  cutoff: z._default(z.boolean(), false),
});
export type JourneyGuard = z.input<typeof journeyGuardSchema>;

/**
 * A message planned to follow this one (the last-chance reminder after the first): its task is
 * scheduled when this one is done, sent or not, unless this one's journey check stopped it. A
 * follow-up that may never be needed (most unpaid orders are paid before the first reminder)
 * then costs no task write and no cancel. It is checked against this one's journey (the same
 * order and stops; no cut-off) rather than carrying its own: the task item stays under the 1 KB
 * a write unit covers, with 19-digit ids.
 */
const followUpSchema = z.object({
  kind: z.string().check(z.refine(isMessageKind, 'unknown message kind')),
  messageKey: z.string().check(z.minLength(1)),
  dueAt: z.string(),
  firstDueAt: z.optional(z.string()),
  vars: z.optional(z.record(z.string(), z.string())),
  variant: z.optional(z.string()),
});

export const messageTaskPayloadSchema = z.object({
  customerId: z.string().check(z.minLength(1)),
  kind: z.string().check(z.refine(isMessageKind, 'unknown message kind')),
  messageKey: z.string().check(z.minLength(1)),
  vars: z._default(z.record(z.string(), z.string()), {}),
  variant: z.optional(z.string()),
  journey: z.optional(journeyGuardSchema),
  /**
   * The digest of the phone number the message was planned for, when the planner knew it: the
   * SMS opt-out is then read in one request with the recipient (checked against the number the
   * profile has when the message is due).
   */
  phoneDigest: z.optional(z.string()),
  then: z.optional(followUpSchema),
});

/** A message as planned: what it is and when it goes (a follow-up is just this; its journey is its first's). */
export interface PlannedMessage {
  kind: MessageKind;
  messageKey: string;
  dueAt: Date;
  /** When the message was wanted, if `dueAt` is later (held past quiet hours): it expires relative to this. */
  firstDueAt?: Date;
  vars?: Record<string, string>;
  variant?: string;
}

/** A task that sends one message through the pipeline when it is due. */
export function sendMessageTask(
  input: PlannedMessage & {
    shopId: string;
    customerId: string;
    journey?: JourneyGuard;
    /** The recipient's phone number (E.164) as the planner knows it; only its digest is kept. */
    phone?: string;
    /** The digest itself, when that is all there is (a follow-up inherits its first's). */
    phoneDigest?: string;
    /** A task key of its own, for a task that sends a new message each time it is re-armed (default `msg:<messageKey>`). */
    taskKey?: string;
    /** The message to plan once this one is done (see `followUpSchema`). */
    then?: PlannedMessage;
  },
): ScheduleRequest {
  return {
    shopId: input.shopId,
    taskKey: input.taskKey ?? `msg:${input.messageKey}`,
    kind: SEND_MESSAGE_TASK,
    dueAt: input.dueAt,
    ...(input.firstDueAt ? { firstDueAt: input.firstDueAt } : {}),
    priority: kindSpec(input.kind).priority,
    payload: {
      customerId: input.customerId,
      kind: input.kind,
      messageKey: input.messageKey,
      vars: input.vars ?? {},
      ...(input.variant ? { variant: input.variant } : {}),
      ...(input.journey ? { journey: input.journey } : {}),
      ...(input.phone ? { phoneDigest: phoneDigest(input.phone) } : input.phoneDigest ? { phoneDigest: input.phoneDigest } : {}),
      ...(input.then ? { then: followUpPayload(input.then) } : {}),
    },
  };
}

function followUpPayload(then: PlannedMessage): z.input<typeof followUpSchema> {
  return {
    kind: then.kind,
    messageKey: then.messageKey,
    dueAt: then.dueAt.toISOString(),
    ...(then.firstDueAt ? { firstDueAt: then.firstDueAt.toISOString() } : {}),
    ...(then.vars ? { vars: then.vars } : {}),
    ...(then.variant ? { variant: then.variant } : {}),
  };
}

/** The task of a message task's follow-up, for the same shop and customer (and the number planned for). */
export function followUpTask(shopId: string, payload: z.infer<typeof messageTaskPayloadSchema>): ScheduleRequest | undefined {
  const then = payload.then;
  if (!then) return undefined;
  return sendMessageTask({
    shopId,
    customerId: payload.customerId,
    kind: then.kind as MessageKind,
    messageKey: then.messageKey,
    dueAt: new Date(then.dueAt),
    ...(then.firstDueAt ? { firstDueAt: new Date(then.firstDueAt) } : {}),
    ...(then.vars ? { vars: then.vars } : {}),
    ...(then.variant ? { variant: then.variant } : {}),
    ...(payload.journey ? { journey: { ...payload.journey, cutoff: false } } : {}),
    ...(payload.phoneDigest ? { phoneDigest: payload.phoneDigest } : {}),
  });
}
