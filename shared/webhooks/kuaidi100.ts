import { createHash, timingSafeEqual } from 'node:crypto';
import * as z from 'zod/mini';
import type { Checkpoint } from '../events/canonical.ts';
import { type Adaptation, issuePaths, type PlatformAdapter, type WebhookRequest } from './adapter.ts';

/**
 * Kuaidi100 (快递100) subscription push (订阅推送). Kuaidi100 POSTs a form with two fields:
 *
 * - `param`: JSON, `{ status, message, autoCheck, comOld, comNew, lastResult: { nu, com, state,
 *   data: [{ time, ftime, context, areaName?, status?, statusCode? }] } }`, `data` newest first;
 * - `sign`: upper-case hex MD5 of `param + salt`, the salt being the secret the shop gave when
 *   it subscribed the parcel (Kuaidi100 signs only when a salt was given).
 *
 * It reads the response body: anything but `{"result":true,"returnCode":"200",...}` is a failed
 * push, which it repeats (three times, about half an hour apart) and then drops.
 */

/** What Kuaidi100 reads as "received"; anything else makes it push again later. */
const KUAIDI100_OK = { result: true, returnCode: '200', message: '成功' } as const;

/** Kuaidi100 times are China local time without an offset; China keeps +08:00 all year (no DST). */
const CHINA_OFFSET_MINUTES = 8 * 60;
const MAX_CHECKPOINTS = 50;

/** The form as Kuaidi100 sent it: `param` parsed (undefined when absent or not JSON) and as sent. */
interface Kuaidi100Form {
  param: unknown;
  sign: string | undefined;
  rawParam: string | undefined;
}

function readForm(rawBody: Buffer): Kuaidi100Form {
  // URLSearchParams decodes the form as UTF-8, `+` as a space and `%2B` as `+`, like a servlet's
  // getParameter, which is what Kuaidi100's own examples sign against.
  const form = new URLSearchParams(rawBody.toString('utf8'));
  const rawParam = form.get('param') ?? undefined;
  const sign = form.get('sign') ?? undefined;
  let param: unknown;
  if (rawParam !== undefined) {
    try {
      param = JSON.parse(rawParam);
    } catch {
      param = undefined;
    }
  }
  return { param, sign, rawParam };
}

/** `sign` is MD5(param + salt) as hex (Kuaidi100 sends it upper-case; either case is accepted). */
function verifyKuaidi100Sign(rawParam: string | undefined, sign: string | undefined, salts: string[]): boolean {
  if (rawParam === undefined || !sign || !/^[0-9a-f]{32}$/i.test(sign.trim())) return false;
  const received = Buffer.from(sign.trim(), 'hex');
  // An empty salt would make the signature a plain MD5 of the body that anyone can compute.
  return salts
    .filter((salt) => salt.length > 0)
    .some((salt) => {
      const expected = createHash('md5').update(rawParam + salt, 'utf8').digest();
      return expected.length === received.length && timingSafeEqual(expected, received);
    });
}

/** "2026-11-21 10:12:00" (China local time) → "2026-11-21T02:12:00.000Z"; undefined if it is not one. */
function chinaTimeToUtc(text: string | null | undefined): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text?.trim() ?? '');
  if (!match) return undefined;
  const [y, mo, d, h, mi, s] = match.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const local = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Date.UTC rolls "02-31" over into March; a time that does not exist is not a time.
  if (local.getUTCFullYear() !== y || local.getUTCMonth() !== mo - 1 || local.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    return undefined;
  }
  return new Date(local.getTime() - CHINA_OFFSET_MINUTES * 60_000).toISOString();
}

const text = z.nullish(z.string());

const entryFields = z.object({
  time: text,
  ftime: text,
  context: text,
  areaName: text,
  /** Present when subscribed with resultv2: the entry's own status name ("在途", "签收") and code. */
  status: text,
  statusCode: z.nullish(z.union([z.string(), z.number()])),
});
const entrySchema = z.pipe(
  entryFields,
  z.transform((entry: z.infer<typeof entryFields>, ctx) => {
    // ftime is Kuaidi100's formatted time, time the carrier's original; both are China local time.
    const at = chinaTimeToUtc(entry.ftime) ?? chinaTimeToUtc(entry.time);
    if (!at) {
      ctx.issues.push({ code: 'custom', message: 'Expected a time like "2026-11-21 10:12:00"', input: entry.ftime, path: ['ftime'] });
      return z.NEVER;
    }
    return { ...entry, at };
  }),
);

const paramSchema = z.object({
  status: z.string(),
  comNew: text,
  lastResult: z.object({
    nu: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
    com: text,
    // A string in the push documentation, an integer in some of Kuaidi100's other pushes.
    state: z.pipe(z.union([z.string().check(z.minLength(1)), z.int()]), z.transform(String)),
    data: z.pipe(
      z.nullish(z.array(entrySchema)),
      z.transform((data: Entry[] | null | undefined) => data ?? []),
    ),
  }),
});
const bodySchema = z.object({ param: paramSchema });

type Entry = z.infer<typeof entrySchema>;
type Status = Checkpoint['status'];

/** Pushes that carry the parcel's checkpoints; `abort` (no records for 3 days, no change in 60) carries nothing to apply. */
const HANDLED_TOPICS = new Set(['polling', 'shutdown', 'updateall']);

/**
 * Kuaidi100 states: 0 在途, 1 揽收, 2 疑难, 3 签收, 4 退签, 5 派件, 6 退回, 7 转投, 8 清关, 14 拒签,
 * and with resultv2 the finer codes under them: 101 已下单 / 102 待揽收 / 103 已揽收, 1001-1003 (在途),
 * 201… (疑难), 301-304 (签收), 401 已销单, 501 投柜或驿站, 10-13 (清关, 13 清关异常).
 */
function statusOfCode(code: string): Status | undefined {
  if (!/^\d{1,4}$/.test(code)) return undefined;
  if (code === '3' || /^3\d\d$/.test(code)) return 'delivered';
  if (code === '5') return 'out_for_delivery';
  // In a parcel locker or a collection point: waiting for the customer, not out for delivery.
  if (code === '501') return 'in_transit';
  if (code === '2' || /^2\d\d$/.test(code)) return 'exception';
  if (code === '4' || /^4\d\d$/.test(code) || code === '6' || code === '13' || code === '14') return 'exception';
  if (code === '101' || code === '102') return 'info';
  return 'in_transit';
}

const STATUS_OF_NAME: Record<string, Status> = {
  在途: 'in_transit',
  揽收: 'in_transit',
  疑难: 'exception',
  签收: 'delivered',
  退签: 'exception',
  派件: 'out_for_delivery',
  退回: 'exception',
  转投: 'in_transit',
  清关: 'in_transit',
  拒签: 'exception',
  已下单: 'info',
  待揽收: 'info',
  已揽收: 'in_transit',
  到达派件城市: 'in_transit',
  干线: 'in_transit',
  转递: 'in_transit',
  投柜或驿站: 'in_transit',
  本人签收: 'delivered',
  派件异常后签收: 'delivered',
  代签: 'delivered',
  投柜或站签收: 'delivered',
  已销单: 'exception',
  清关异常: 'exception',
};

/** The entry's own status, when the subscription asked for it (resultv2); it stays the same on every push. */
function ownStatus(entry: Entry): Status | undefined {
  if (entry.statusCode != null && String(entry.statusCode) !== '') return statusOfCode(String(entry.statusCode));
  return entry.status ? STATUS_OF_NAME[entry.status.trim()] : undefined;
}

/** 【杭州市】快件已到达 … → 杭州市 */
function bracketLocation(context: string | null | undefined): string | undefined {
  return /【([^】]{1,100})】/.exec(context ?? '')?.[1]?.trim() || undefined;
}

function clip(value: string | null | undefined, max: number): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed.slice(0, max) : undefined;
}

/** Newest first (stable, so of two entries with one time the first Kuaidi100 listed wins). */
function newestFirst(data: Entry[]): Entry[] {
  return [...data].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
}

/**
 * The 50 newest entries as checkpoints, oldest first. The newest takes the parcel's state;
 * earlier ones their own status when Kuaidi100 gives one (resultv2), else in_transit.
 */
function checkpointsOf(state: string, data: Entry[]): Checkpoint[] {
  return newestFirst(data)
    .slice(0, MAX_CHECKPOINTS)
    .map((entry, index): Checkpoint => {
      const status = ownStatus(entry) ?? (index === 0 ? (statusOfCode(state) ?? 'in_transit') : 'in_transit');
      const location = clip(entry.areaName, 200) ?? bracketLocation(entry.context);
      const message = clip(entry.context, 500);
      return { at: entry.at, status, ...(location ? { location } : {}), ...(message ? { message } : {}) };
    })
    .reverse();
}

function paramOf(body: unknown): unknown {
  return isRecord(body) ? body.param : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const kuaidi100Adapter: PlatformAdapter = {
  // A form field, not a header: the name ingest uses in "Missing or wrong sign header".
  signatureHeader: 'sign',
  contentTypes: ['application/x-www-form-urlencoded'],
  verifySignature(request: WebhookRequest, secrets: string[]) {
    const { rawParam, sign } = readForm(request.rawBody);
    return verifyKuaidi100Sign(rawParam, sign, secrets);
  },
  isPing: () => false,
  parseBody: (rawBody) => readForm(rawBody),
  topicOf(_request, body) {
    const param = paramOf(body);
    return isRecord(param) && typeof param.status === 'string' && param.status ? param.status : undefined;
  },
  /**
   * Kuaidi100 sends no delivery id. Its retries repeat the same push, and every new push has a
   * newer entry, another state or one more entry, so these identify a push across retries.
   */
  deliveryIdOf(_request, body) {
    const parsed = bodySchema.safeParse(body);
    if (!parsed.success) return undefined;
    const { nu, com, state, data } = parsed.data.param.lastResult;
    const newest = newestFirst(data)[0];
    return `kuaidi100:${com ?? ''}:${nu}:${newest?.at ?? 'none'}:${state}:${data.length}`;
  },
  adapt(topic, body): Adaptation {
    if (!HANDLED_TOPICS.has(topic)) return { kind: 'ignored' };
    const parsed = bodySchema.safeParse(body);
    if (!parsed.success) return { kind: 'invalid', fields: issuePaths(parsed.error.issues) };
    const { comNew, lastResult } = parsed.data.param;
    const carrier = clip(lastResult.com, 100) ?? clip(comNew, 100);
    return {
      kind: 'tracking',
      ...(carrier ? { carrier } : {}),
      trackingNumber: lastResult.nu,
      checkpoints: checkpointsOf(lastResult.state, lastResult.data),
    };
  },
  // Every outcome is "received" for Kuaidi100: an unmatched parcel will not match on a retry either.
  acknowledgement: () => ({ ...KUAIDI100_OK }),
};
