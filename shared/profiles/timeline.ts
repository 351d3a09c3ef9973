import { type TimelineEntry, timelineOf } from '../orders/order-effects.ts';
import { orderView } from '../orders/order-state.ts';
import type { CarelineStore } from '../store/careline-store.ts';
import type { LedgerEntry, MessageStore } from '../store/message-store.ts';

export interface TimelinePage {
  entries: (TimelineEntry & { customerId: string })[];
  /** Pass back to get the next (older) page; absent on the last page. */
  cursor?: string;
}

/**
 * A customer's timeline, newest first: each order's history (read from the order, whose
 * timeline is a pure function of its state), every message sent or not sent (from the message
 * ledger), and the notes journeys wrote (stalls, at-risk tags, replies). Nothing but the notes
 * is written as timeline lines, so a webhook or a message costs no timeline write; the view is
 * put together when someone reads it. Lines written by earlier versions (order histories and
 * message lines) give way to the ones computed now, and their orders are read as well.
 */
export async function customerTimeline(
  stores: { store: CarelineStore; messages: MessageStore },
  shopId: string,
  customerId: string,
  options: { limit?: number; cursor?: string } = {},
): Promise<TimelinePage> {
  const [notes, linked, ledger] = await Promise.all([
    stores.store.listTimelineNotes(shopId, customerId),
    stores.store.listCustomerOrderIds(shopId, customerId),
    stores.messages.listMessages(shopId, customerId, Infinity),
  ]);
  // Orders written before they were listed under their customer are known by their stored lines.
  const orderIds = [...linked, ...notes.flatMap((note) => (note.orderId ? [note.orderId] : []))];
  const orders = (await stores.store.getOrders(shopId, orderIds)).filter((order) => order.customerId === customerId);
  const orderLines = orders.flatMap((order) => timelineOf(orderView(order)));
  const messageLines = ledger.flatMap((entry) => messageLine(entry) ?? []);
  // A line computed now replaces a stored one with the same id (written by an earlier version,
  // perhaps at a time since corrected).
  const computed = new Set([...orderLines, ...messageLines].map((line) => line.entryId));
  const lines = new Map<string, TimelineEntry>();
  for (const line of [...notes.filter((note) => !computed.has(note.entryId)), ...orderLines, ...messageLines]) lines.set(sortKey(line), line);

  const after = options.cursor ? Buffer.from(options.cursor, 'base64url').toString() : undefined;
  const sorted = [...lines.entries()].sort(([a], [b]) => (a < b ? 1 : a > b ? -1 : 0)).filter(([key]) => after === undefined || key < after);
  const limit = Math.max(1, options.limit ?? 50);
  const page = sorted.slice(0, limit);
  const entries = page.map(([, entry]) => ({ ...entry, customerId }));
  return sorted.length > limit ? { entries, cursor: Buffer.from(page.at(-1)![0]).toString('base64url') } : { entries };
}

/** Lines sort as the stored ones do (`T#<at>#<entryId>`). */
function sortKey(entry: Pick<TimelineEntry, 'at' | 'entryId'>): string {
  return `${entry.at}#${entry.entryId}`;
}

const spaced = (text: string) => text.replaceAll('_', ' ');

/** A message's line: sent, or not sent and why. Messages still being sent, deferred or retried have none yet. */
export function messageLine(entry: LedgerEntry): TimelineEntry | undefined {
  const base = { entryId: `msg#${entry.messageKey}`, at: entry.at, orderId: '' };
  switch (entry.status) {
    case 'sent': {
      const via = entry.fallbackFrom ? ` after ${entry.fallbackFrom}` : '';
      const channel = entry.channel === 'email' ? 'email' : 'SMS';
      return { ...base, type: 'message.sent', summary: `Sent ${channel}${via} (${spaced(entry.kind)})${entry.preview ? `: ${entry.preview}` : ''}` };
    }
    case 'skipped':
      return { ...base, type: 'message.not_sent', summary: `Not sent (${spaced(entry.reason ?? 'no reason')}): ${spaced(entry.kind)}` };
    case 'failed':
      return { ...base, type: 'message.not_sent', summary: `Not sent (${entry.reason ?? 'failed'}): ${spaced(entry.kind)}` };
    default:
      return undefined;
  }
}
