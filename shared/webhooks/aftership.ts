import * as z from 'zod/mini';
import type { Checkpoint } from '../events/canonical.ts';
import { type Adaptation, issuePaths, type PlatformAdapter } from './adapter.ts';
import { verifyBase64BodySignature } from './signatures.ts';

/**
 * AfterShip Tracking webhooks (JSON). `aftership-hmac-sha256` is the base64 HMAC-SHA256 of the
 * raw body with the account's webhook secret. The body is
 * `{ event, event_id, is_tracking_first_tag, msg: <the tracking, with checkpoints[]>, ts }`;
 * only `tracking_update` carries checkpoints (`edd_revise` and `tracking_pending_time` do not).
 * Enum values are open strings: AfterShip may add tags without a new webhook version.
 */

const MAX_CHECKPOINTS = 50;
const text = z.nullish(z.string());

/**
 * `checkpoint_time` is the carrier's time at the checkpoint. AfterShip sends it with an offset
 * ("2026-11-21T10:12:00+08:00"), but some carriers and webhook versions give only a local
 * "2026-11-21T10:12:00" or a date. Without an offset the zone is unknown: such a time is read as
 * UTC, hours off at worst, because the checkpoint's status matters more than its exact hour.
 * An empty time means the carrier gave none; that checkpoint is left out.
 */
function checkpointTimeToUtc(value: string): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i.exec(value.trim());
  if (!match) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction = '', zone = 'Z'] = match as unknown as string[];
  const numbers = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  const local = new Date(Date.UTC(numbers[0], numbers[1] - 1, numbers[2], numbers[3], numbers[4], numbers[5]));
  // Date.UTC rolls "02-31" over into March; a time that does not exist is not a time.
  if (local.getUTCMonth() !== numbers[1] - 1 || local.getUTCDate() !== numbers[2] || numbers[3] > 23 || numbers[4] > 59 || numbers[5] > 59) {
    return undefined;
  }
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const parsed = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${fraction.slice(0, 4)}${offset}`);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed.toISOString();
}

const checkpointFields = z.object({
  checkpoint_time: text,
  tag: text,
  subtag_message: text,
  message: text,
  location: text,
  city: text,
  state: text,
  country_region_name: text,
  country_name: text,
  country_region: text,
  country_iso3: text,
});
const checkpointSchema = z.pipe(
  checkpointFields,
  z.transform((checkpoint: z.infer<typeof checkpointFields>, ctx) => {
    if (!checkpoint.checkpoint_time?.trim()) return { ...checkpoint, at: undefined };
    const at = checkpointTimeToUtc(checkpoint.checkpoint_time);
    if (!at) {
      ctx.issues.push({ code: 'custom', message: 'Expected an ISO 8601 time', input: checkpoint.checkpoint_time, path: ['checkpoint_time'] });
      return z.NEVER;
    }
    return { ...checkpoint, at };
  }),
);

const bodySchema = z.object({
  event: z.string(),
  event_id: text,
  msg: z.object({
    tracking_number: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
    slug: text,
    tag: text,
    checkpoints: z.pipe(
      z.nullish(z.array(checkpointSchema)),
      z.transform((checkpoints: AfterShipCheckpoint[] | null | undefined) => checkpoints ?? []),
    ),
  }),
});

type AfterShipCheckpoint = z.infer<typeof checkpointSchema>;
type Status = Checkpoint['status'];

/** AfterShip delivery tags (msg.tag and each checkpoint's tag) to checkpoint statuses. */
const STATUS_OF_TAG: Record<string, Status> = {
  Delivered: 'delivered',
  OutForDelivery: 'out_for_delivery',
  Exception: 'exception',
  AttemptFail: 'exception',
  Expired: 'exception',
  InTransit: 'in_transit',
  // At a pickup point, waiting for the customer: not out for delivery.
  AvailableForPickup: 'in_transit',
  InfoReceived: 'info',
  Pending: 'info',
};

function clip(value: string | null | undefined, max: number): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed.slice(0, max) : undefined;
}

function locationOf(c: AfterShipCheckpoint): string | undefined {
  const parts = [c.city, c.state, c.country_region_name ?? c.country_name ?? c.country_region ?? c.country_iso3];
  return clip(c.location, 200) ?? clip(parts.map((part) => part?.trim()).filter(Boolean).join(', '), 200);
}

/** The 50 newest timed checkpoints, oldest first. A checkpoint without a tag is a carrier scan: in transit. */
function checkpointsOf(checkpoints: AfterShipCheckpoint[]): Checkpoint[] {
  return checkpoints
    .filter((c): c is AfterShipCheckpoint & { at: string } => c.at !== undefined)
    .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0))
    .slice(0, MAX_CHECKPOINTS)
    .map((c): Checkpoint => {
      // An unknown tag is reported, not guessed at.
      const status = c.tag ? (STATUS_OF_TAG[c.tag] ?? 'info') : 'in_transit';
      const location = locationOf(c);
      const message = clip(c.message, 500) ?? clip(c.subtag_message, 500);
      return { at: c.at, status, ...(location ? { location } : {}), ...(message ? { message } : {}) };
    })
    .reverse();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const aftershipAdapter: PlatformAdapter = {
  signatureHeader: 'Aftership-Hmac-Sha256',
  contentTypes: ['application/json'],
  // An empty secret is no secret; AfterShip signs nothing else (no timestamp, so no replay window).
  verifySignature: (request, secrets) =>
    verifyBase64BodySignature(request.rawBody, request.headers['aftership-hmac-sha256'], secrets.filter((secret) => secret.length > 0)),
  isPing: () => false,
  topicOf: (_request, body) => (isRecord(body) && typeof body.event === 'string' && body.event ? body.event : undefined),
  /** `event_id` (a UUID) is the same on every retry of an event. */
  deliveryIdOf: (_request, body) => (isRecord(body) && typeof body.event_id === 'string' && body.event_id ? body.event_id : undefined),
  adapt(topic, body): Adaptation {
    if (topic !== 'tracking_update') return { kind: 'ignored' };
    const parsed = bodySchema.safeParse(body);
    if (!parsed.success) return { kind: 'invalid', fields: issuePaths(parsed.error.issues) };
    const { msg } = parsed.data;
    const carrier = clip(msg.slug, 100);
    return {
      kind: 'tracking',
      ...(carrier ? { carrier } : {}),
      trackingNumber: msg.tracking_number,
      checkpoints: checkpointsOf(msg.checkpoints),
    };
  },
  acknowledgement: (outcome) => ({ ok: true, outcome }),
};
