import * as z from 'zod/mini';

export const CALL_OUTCOMES = ['paid', 'later', 'declined', 'no-answer'] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/** A phone call staff should make about a large unpaid order, listed by `careline calls`. */
export const callSchema = z.object({
  shopId: z.string(),
  orderId: z.string(),
  customerId: z.string(),
  orderNumber: z.optional(z.string()),
  /** Order total, formatted. */
  total: z.optional(z.string()),
  /** The start of the calling window it is placed in. */
  dueAt: z.string(),
  /** The customer's local time at dueAt, for the person calling. */
  localDue: z.string(),
  status: z.enum(['open', 'done', 'not_needed']),
  outcome: z.optional(z.enum(CALL_OUTCOMES)),
  note: z.optional(z.string().check(z.maxLength(500))),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Call = z.infer<typeof callSchema>;

/** Outcomes after which reminding the customer to pay makes no sense any more. */
export function outcomeStopsReminders(outcome: CallOutcome): boolean {
  return outcome === 'paid' || outcome === 'declined';
}
