import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkpointSchema } from '../../shared/events/canonical.ts';
import type { Adaptation, WebhookRequest } from '../../shared/webhooks/adapter.ts';
import { aftershipAdapter } from '../../shared/webhooks/aftership.ts';
import { kuaidi100Adapter } from '../../shared/webhooks/kuaidi100.ts';

const RECEIVED_AT = new Date('2026-11-23T00:00:00Z');

function request(platform: string, rawBody: Buffer | string, headers: Record<string, string> = {}): WebhookRequest {
  return { platform, shopId: 'test-shop', headers, rawBody: Buffer.from(rawBody), receivedAt: RECEIVED_AT };
}

function tracking(result: Adaptation): Extract<Adaptation, { kind: 'tracking' }> {
  if (result.kind !== 'tracking') throw new Error(`expected tracking, got ${JSON.stringify(result)}`);
  for (const checkpoint of result.checkpoints) expect(checkpointSchema.safeParse(checkpoint).success).toBe(true);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Kuaidi100
// ---------------------------------------------------------------------------------------------

const SALT = 'kd100-salt-0001';
const kdSign = (param: string, salt = SALT) => createHash('md5').update(param + salt, 'utf8').digest('hex').toUpperCase();

interface KdEntry {
  time?: string;
  ftime?: string;
  context?: string;
  areaName?: string;
  status?: string;
  statusCode?: string;
}

function kdParam(options: { status?: string; state?: string | number; data?: KdEntry[]; nu?: string; com?: string } = {}) {
  return {
    status: options.status ?? 'polling',
    billstatus: 'got',
    message: '',
    autoCheck: '0',
    comOld: '',
    comNew: '',
    lastResult: {
      message: 'ok',
      nu: options.nu ?? 'SF1456789012345',
      ischeck: '0',
      condition: '00',
      com: options.com ?? 'shunfeng',
      status: '200',
      state: options.state ?? '0',
      data: options.data ?? [
        { time: '2026-11-21 10:12:00', ftime: '2026-11-21 10:12:00', context: '【杭州市】快件已到达 杭州转运中心', areaName: '浙江,杭州市', status: '在途' },
      ],
    },
  };
}

/** The form as Kuaidi100 posts it (URLSearchParams encodes a space as "+", "+" as %2B, "%" as %25). */
function kdForm(param: unknown, sign?: string): { raw: string; body: Buffer } {
  const raw = typeof param === 'string' ? param : JSON.stringify(param);
  const form = new URLSearchParams({ param: raw, ...(sign === undefined ? {} : { sign }) });
  return { raw, body: Buffer.from(form.toString()) };
}

function kdRequest(param: unknown, sign?: string): WebhookRequest {
  const raw = typeof param === 'string' ? param : JSON.stringify(param);
  return request('kuaidi100', kdForm(raw, sign === undefined ? kdSign(raw) : sign).body, { 'content-type': 'application/x-www-form-urlencoded' });
}

/** What ingest does: parse the body with the adapter, read the topic, adapt. */
function kdAdapt(param: unknown): Adaptation {
  const req = kdRequest(param);
  const body = kuaidi100Adapter.parseBody!(req.rawBody);
  const topic = kuaidi100Adapter.topicOf(req, body);
  if (!topic) throw new Error('no topic');
  return kuaidi100Adapter.adapt(topic, body, req);
}

describe('Kuaidi100: the sign form field, MD5(param + salt) in upper-case hex', () => {
  it('matches a vector computed independently (md5sum)', () => {
    const raw = '{"status":"polling","lastResult":{"nu":"SF1456789012345","com":"shunfeng","state":"0","data":[]}}';
    expect(kdSign(raw)).toBe('7416C2828398E60D21808D4C0F4FA081');
    const req = request('kuaidi100', kdForm(raw, '7416C2828398E60D21808D4C0F4FA081').body);
    expect(kuaidi100Adapter.verifySignature(req, [SALT], RECEIVED_AT)).toBe(true);
  });

  it('accepts the signature of the salt the shop chose, also lower-case and as the second of two salts', () => {
    const raw = JSON.stringify(kdParam());
    expect(kuaidi100Adapter.verifySignature(kdRequest(raw), [SALT], RECEIVED_AT)).toBe(true);
    expect(kuaidi100Adapter.verifySignature(kdRequest(raw, kdSign(raw).toLowerCase()), [SALT], RECEIVED_AT)).toBe(true);
    expect(kuaidi100Adapter.verifySignature(kdRequest(raw), ['an-older-salt', SALT], RECEIVED_AT)).toBe(true);
  });

  it.each([
    ['another salt', () => kdRequest(JSON.stringify(kdParam()), kdSign(JSON.stringify(kdParam()), 'not-the-salt'))],
    ['a param changed after signing', () => request('kuaidi100', kdForm(JSON.stringify(kdParam({ state: '3' })), kdSign(JSON.stringify(kdParam()))).body)],
    ['no sign field', () => request('kuaidi100', kdForm(JSON.stringify(kdParam())).body)],
    ['an empty sign', () => kdRequest(JSON.stringify(kdParam()), '')],
    ['a truncated sign', () => kdRequest(JSON.stringify(kdParam()), kdSign(JSON.stringify(kdParam())).slice(0, 31))],
    ['a sign that is not hex', () => kdRequest(JSON.stringify(kdParam()), 'Z'.repeat(32))],
    ['no param field', () => request('kuaidi100', `sign=${kdSign('')}`)],
    ['an empty body', () => request('kuaidi100', '')],
  ])('refuses %s', (_name, build) => {
    expect(kuaidi100Adapter.verifySignature(build(), [SALT], RECEIVED_AT)).toBe(false);
  });

  it('never accepts an empty salt, which would make the sign a plain MD5 anyone can compute', () => {
    const raw = JSON.stringify(kdParam());
    expect(kuaidi100Adapter.verifySignature(kdRequest(raw, kdSign(raw, '')), [''], RECEIVED_AT)).toBe(false);
    expect(kuaidi100Adapter.verifySignature(kdRequest(raw), [], RECEIVED_AT)).toBe(false);
  });

  it('signs the decoded param: "+" and "%" in the JSON arrive URL-encoded and still verify', () => {
    const raw = JSON.stringify(kdParam({ data: [{ ftime: '2026-11-21 10:12:00', context: '满100%减20 A+B 已签收' }] }));
    const { body } = kdForm(raw, kdSign(raw));
    expect(body.toString()).toContain('100%25');
    expect(body.toString()).toContain('A%2BB+');
    const req = request('kuaidi100', body);
    expect(kuaidi100Adapter.verifySignature(req, [SALT], RECEIVED_AT)).toBe(true);
    expect(kuaidi100Adapter.parseBody!(req.rawBody)).toEqual({ param: JSON.parse(raw), sign: kdSign(raw), rawParam: raw });
  });

  it('decodes a hand-encoded form: %2B is "+", "+" is a space, %25 is "%", and signs what it decoded', () => {
    const decoded = '{"status":"polling","lastResult":{"nu":"SF1","com":"shunfeng","state":"0","data":[{"ftime":"2026-11-21 10:12:00","context":"1+1 100%"}]}}';
    const encoded =
      'param=%7B%22status%22%3A%22polling%22%2C%22lastResult%22%3A%7B%22nu%22%3A%22SF1%22%2C%22com%22%3A%22shunfeng%22%2C%22state%22%3A%220%22%2C' +
      '%22data%22%3A%5B%7B%22ftime%22%3A%222026-11-21+10%3A12%3A00%22%2C%22context%22%3A%221%2B1+100%25%22%7D%5D%7D%7D' +
      `&sign=${kdSign(decoded)}`;
    const req = request('kuaidi100', encoded);
    expect(kuaidi100Adapter.parseBody!(req.rawBody)).toMatchObject({ rawParam: decoded, sign: kdSign(decoded) });
    expect(kuaidi100Adapter.verifySignature(req, [SALT], RECEIVED_AT)).toBe(true);
    // Signing the still-encoded text instead would be wrong.
    const signedEncoded = request('kuaidi100', encoded.replace(kdSign(decoded), kdSign(encoded.split('&')[0]!.slice('param='.length))));
    expect(kuaidi100Adapter.verifySignature(signedEncoded, [SALT], RECEIVED_AT)).toBe(false);
  });
});

describe('Kuaidi100: reading the form', () => {
  it('parses param as JSON and keeps it as sent', () => {
    const raw = JSON.stringify(kdParam());
    expect(kuaidi100Adapter.parseBody!(kdRequest(raw).rawBody)).toEqual({ param: kdParam(), sign: kdSign(raw), rawParam: raw });
  });

  it('a param that is not JSON gives no param and no topic, without throwing', () => {
    const req = request('kuaidi100', 'param=%7Bnot+json&sign=ABC');
    const body = kuaidi100Adapter.parseBody!(req.rawBody);
    expect(body).toEqual({ param: undefined, sign: 'ABC', rawParam: '{not json' });
    expect(kuaidi100Adapter.topicOf(req, body)).toBeUndefined();
    expect(kuaidi100Adapter.parseBody!(Buffer.from(''))).toEqual({ param: undefined, sign: undefined, rawParam: undefined });
  });

  it('takes the topic from param.status', () => {
    for (const status of ['polling', 'shutdown', 'abort', 'updateall']) {
      const req = kdRequest(kdParam({ status }));
      expect(kuaidi100Adapter.topicOf(req, kuaidi100Adapter.parseBody!(req.rawBody))).toBe(status);
    }
  });

  it('describes itself to ingest', () => {
    expect(kuaidi100Adapter.contentTypes).toEqual(['application/x-www-form-urlencoded']);
    expect(kuaidi100Adapter.signatureHeader).toBe('sign');
    expect(kuaidi100Adapter.isPing(kdRequest(kdParam()))).toBe(false);
  });
});

describe('Kuaidi100: checkpoints', () => {
  it('the documented push: one in-transit checkpoint with carrier, tracking number, area and context', () => {
    expect(tracking(kdAdapt(kdParam()))).toEqual({
      kind: 'tracking',
      carrier: 'shunfeng',
      trackingNumber: 'SF1456789012345',
      checkpoints: [{ at: '2026-11-21T02:12:00.000Z', status: 'in_transit', location: '浙江,杭州市', message: '【杭州市】快件已到达 杭州转运中心' }],
    });
  });

  it('reads times as China local time (+08:00), across midnight too, ftime before time', () => {
    const result = tracking(
      kdAdapt(
        kdParam({
          data: [
            { ftime: '2026-11-21 10:12:00', time: '2026-11-21 10:12', context: 'b' },
            { ftime: '2026-11-21 05:00:00', time: 'garbled', context: 'a' },
            { time: '2026-11-20 23:59', context: 'z' },
          ],
        }),
      ),
    );
    expect(result.checkpoints.map((c) => [c.at, c.message])).toEqual([
      ['2026-11-20T15:59:00.000Z', 'z'],
      ['2026-11-20T21:00:00.000Z', 'a'],
      ['2026-11-21T02:12:00.000Z', 'b'],
    ]);
  });

  it.each([
    ['0', 'in_transit'],
    ['1', 'in_transit'],
    ['2', 'exception'],
    ['3', 'delivered'],
    ['4', 'exception'],
    ['5', 'out_for_delivery'],
    ['6', 'exception'],
    ['7', 'in_transit'],
    ['8', 'in_transit'],
    ['14', 'exception'],
    ['101', 'info'],
    ['1001', 'in_transit'],
    ['201', 'exception'],
    ['301', 'delivered'],
    ['501', 'in_transit'],
    ['13', 'exception'],
    [3, 'delivered'],
  ])('state %s: the newest entry is %s, earlier entries in transit', (state, status) => {
    const data = [
      { ftime: '2026-11-22 09:30:00', context: '最新' },
      { ftime: '2026-11-21 10:12:00', context: '【杭州市】快件已到达 杭州转运中心' },
    ];
    const result = tracking(kdAdapt(kdParam({ state, data })));
    expect(result.checkpoints).toEqual([
      { at: '2026-11-21T02:12:00.000Z', status: 'in_transit', location: '杭州市', message: '【杭州市】快件已到达 杭州转运中心' },
      { at: '2026-11-22T01:30:00.000Z', status, message: '最新' },
    ]);
  });

  it('with resultv2 each entry keeps its own status, so a checkpoint reads the same on every push', () => {
    const data = [
      { ftime: '2026-11-22 15:00:00', context: '已签收', status: '签收' },
      { ftime: '2026-11-22 08:00:00', context: '派送中', status: '派件' },
      { ftime: '2026-11-21 20:00:00', context: '问题件', statusCode: '204', status: '疑难' },
      { ftime: '2026-11-21 10:00:00', context: '已下单', status: '已下单' },
    ];
    const result = tracking(kdAdapt(kdParam({ state: '3', status: 'shutdown', data })));
    expect(result.checkpoints.map((c) => c.status)).toEqual(['info', 'exception', 'out_for_delivery', 'delivered']);
  });

  it('keeps the 50 newest of a long history, oldest first', () => {
    const data = Array.from({ length: 60 }, (_, i) => {
      const t = new Date(Date.UTC(2026, 10, 1, 0, 0, 0) + (59 - i) * 3_600_000); // newest first, hourly
      const local = new Date(t.getTime() + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
      return { ftime: local, context: `step ${59 - i}` };
    });
    const result = tracking(kdAdapt(kdParam({ state: '0', data })));
    expect(result.checkpoints).toHaveLength(50);
    expect(result.checkpoints[0]).toEqual({ at: '2026-11-01T10:00:00.000Z', status: 'in_transit', message: 'step 10' });
    expect(result.checkpoints.at(-1)).toEqual({ at: '2026-11-03T11:00:00.000Z', status: 'in_transit', message: 'step 59' });
  });

  it('an empty history is a tracking update with no checkpoints', () => {
    expect(tracking(kdAdapt(kdParam({ data: [] })))).toEqual({ kind: 'tracking', carrier: 'shunfeng', trackingNumber: 'SF1456789012345', checkpoints: [] });
  });

  it('names the fields that do not fit, never their values', () => {
    const broken = kdParam({ nu: '', data: [{ ftime: '昨天下午 13800138000', context: '收件人 13800138000' }] });
    const result = kdAdapt(broken);
    expect(result).toEqual({ kind: 'invalid', fields: ['param.lastResult.nu', 'param.lastResult.data.0.ftime'] });
    expect(JSON.stringify(result)).not.toContain('13800138000');
    expect(kuaidi100Adapter.adapt('polling', { param: undefined }, kdRequest(kdParam()))).toEqual({ kind: 'invalid', fields: ['param'] });
    expect(kuaidi100Adapter.adapt('polling', { param: { status: 'polling', lastResult: { nu: 'SF1', data: [] } } }, kdRequest(kdParam()))).toEqual({
      kind: 'invalid',
      fields: ['param.lastResult.state'],
    });
  });

  it('ignores abort (nothing found for 3 days, no change in 60) and statuses it does not know', () => {
    const abort = kdParam({ status: 'abort', data: [] });
    expect(kdAdapt({ ...abort, message: '3天查询无记录' })).toEqual({ kind: 'ignored' });
    expect(kuaidi100Adapter.adapt('something_new', { param: kdParam() }, kdRequest(kdParam()))).toEqual({ kind: 'ignored' });
  });

  it('shutdown and updateall carry checkpoints like polling', () => {
    expect(kdAdapt(kdParam({ status: 'shutdown', state: '3' })).kind).toBe('tracking');
    expect(kdAdapt(kdParam({ status: 'updateall' })).kind).toBe('tracking');
  });

  it('answers Kuaidi100 with its success body whatever became of the push, so it does not push again', () => {
    for (const outcome of ['applied', 'duplicate', 'ignored', 'unmatched'] as const) {
      expect(kuaidi100Adapter.acknowledgement!(outcome)).toEqual({ result: true, returnCode: '200', message: '成功' });
    }
  });
});

describe('Kuaidi100: delivery ids (Kuaidi100 sends none)', () => {
  const idOf = (param: unknown) => {
    const req = kdRequest(param);
    return kuaidi100Adapter.deliveryIdOf(req, kuaidi100Adapter.parseBody!(req.rawBody));
  };

  it('are the same for the same push, and differ when a new entry or another state arrives', () => {
    const first = idOf(kdParam());
    expect(first).toBe('kuaidi100:shunfeng:SF1456789012345:2026-11-21T02:12:00.000Z:0:1');
    expect(idOf(kdParam())).toBe(first);
    expect(idOf(kdParam({ state: '5' }))).not.toBe(first);
    const twoEntries = kdParam({
      data: [
        { ftime: '2026-11-21 10:12:00', context: '同一分钟的第二条' },
        { ftime: '2026-11-21 10:12:00', context: '【杭州市】快件已到达 杭州转运中心' },
      ],
    });
    expect(idOf(twoEntries)).toBe('kuaidi100:shunfeng:SF1456789012345:2026-11-21T02:12:00.000Z:0:2');
  });

  it('are undefined for a body that cannot be read (ingest then uses a hash of the body)', () => {
    const req = request('kuaidi100', 'param=oops');
    expect(kuaidi100Adapter.deliveryIdOf(req, kuaidi100Adapter.parseBody!(req.rawBody))).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------
// AfterShip
// ---------------------------------------------------------------------------------------------

const AS_SECRET = 'as-webhook-secret-01';
const asSign = (raw: string, secret = AS_SECRET) => createHmac('sha256', secret).update(raw).digest('base64');

interface AsCheckpoint {
  checkpoint_time?: string | null;
  tag?: string;
  subtag?: string;
  message?: string;
  location?: string | null;
  city?: string | null;
  state?: string | null;
  country_region?: string | null;
  country_region_name?: string | null;
}

function asBody(options: { event?: string; event_id?: string | undefined; tag?: string; checkpoints?: AsCheckpoint[]; tracking_number?: string } = {}) {
  return {
    event: options.event ?? 'tracking_update',
    ...('event_id' in options ? (options.event_id === undefined ? {} : { event_id: options.event_id }) : { event_id: '3f645f5e-530b-4062-8695-db6a64420af8' }),
    is_tracking_first_tag: false,
    msg: {
      id: 'grhrexm6t3hiwkjwq37jd003',
      tracking_number: options.tracking_number ?? '1Z999AA10123456784',
      slug: 'ups',
      tag: options.tag ?? 'InTransit',
      subtag: 'InTransit_001',
      checkpoints: options.checkpoints ?? [
        {
          checkpoint_time: '2026-11-21T10:12:00+08:00',
          tag: 'InTransit',
          subtag: 'InTransit_001',
          message: 'Arrived at facility',
          location: 'Hangzhou',
          city: 'Hangzhou',
          country_region: 'CHN',
        },
      ],
    },
    ts: 1700000000,
  };
}

function asAdapt(body: unknown): Adaptation {
  const raw = JSON.stringify(body);
  const req = request('aftership', raw, { 'content-type': 'application/json', 'aftership-hmac-sha256': asSign(raw) });
  const parsed = JSON.parse(raw) as unknown;
  const topic = aftershipAdapter.topicOf(req, parsed);
  if (!topic) throw new Error('no topic');
  return aftershipAdapter.adapt(topic, parsed, req);
}

describe('AfterShip: aftership-hmac-sha256, base64 HMAC-SHA256 of the raw body', () => {
  const raw = '{"event":"tracking_update","event_id":"e1","msg":{"tracking_number":"1Z999AA10123456784","slug":"ups","checkpoints":[]}}';
  const signed = (signature?: string) => request('aftership', raw, signature === undefined ? {} : { 'aftership-hmac-sha256': signature });

  it('accepts a vector computed independently (openssl) and the one built here, also as the second secret', () => {
    expect(asSign(raw)).toBe('oUIlp1TKPGsep//GIGDW7VsS7riCEpAJ4HdD9VUj4zE=');
    expect(aftershipAdapter.verifySignature(signed('oUIlp1TKPGsep//GIGDW7VsS7riCEpAJ4HdD9VUj4zE='), [AS_SECRET], RECEIVED_AT)).toBe(true);
    expect(aftershipAdapter.verifySignature(signed(asSign(raw)), ['an-older-secret', AS_SECRET], RECEIVED_AT)).toBe(true);
  });

  it.each([
    ['another secret', asSign(raw, 'not-the-secret'), [AS_SECRET]],
    ['a hex digest', createHmac('sha256', AS_SECRET).update(raw).digest('hex'), [AS_SECRET]],
    ['a truncated signature', asSign(raw).slice(0, 20), [AS_SECRET]],
    ['no signature', undefined, [AS_SECRET]],
    ['an empty secret', asSign(raw, ''), ['']],
  ])('refuses %s', (_name, signature, secrets) => {
    expect(aftershipAdapter.verifySignature(signed(signature), secrets, RECEIVED_AT)).toBe(false);
  });

  it('refuses a body changed after signing', () => {
    const req = request('aftership', raw.replace('ups', 'dhl'), { 'aftership-hmac-sha256': asSign(raw) });
    expect(aftershipAdapter.verifySignature(req, [AS_SECRET], RECEIVED_AT)).toBe(false);
  });

  it('describes itself to ingest', () => {
    expect(aftershipAdapter.contentTypes).toEqual(['application/json']);
    expect(aftershipAdapter.signatureHeader).toBe('Aftership-Hmac-Sha256');
    expect(aftershipAdapter.isPing(signed(asSign(raw)))).toBe(false);
    expect(aftershipAdapter.parseBody).toBeUndefined();
  });
});

describe('AfterShip: checkpoints', () => {
  it('a tracking_update: carrier slug, tracking number, the checkpoint in UTC with its location and message', () => {
    expect(tracking(asAdapt(asBody()))).toEqual({
      kind: 'tracking',
      carrier: 'ups',
      trackingNumber: '1Z999AA10123456784',
      checkpoints: [{ at: '2026-11-21T02:12:00.000Z', status: 'in_transit', location: 'Hangzhou', message: 'Arrived at facility' }],
    });
  });

  it.each([
    ['Delivered', 'delivered'],
    ['OutForDelivery', 'out_for_delivery'],
    ['Exception', 'exception'],
    ['AttemptFail', 'exception'],
    ['Expired', 'exception'],
    ['InTransit', 'in_transit'],
    ['AvailableForPickup', 'in_transit'],
    ['InfoReceived', 'info'],
    ['Pending', 'info'],
    ['SomeFutureTag', 'info'],
  ])('checkpoint tag %s → %s', (tag, status) => {
    const result = tracking(asAdapt(asBody({ checkpoints: [{ checkpoint_time: '2026-11-21T10:12:00Z', tag, message: 'm' }] })));
    expect(result.checkpoints).toEqual([{ at: '2026-11-21T10:12:00.000Z', status, message: 'm' }]);
  });

  it('each checkpoint keeps its own tag, oldest first', () => {
    const result = tracking(
      asAdapt(
        asBody({
          tag: 'Delivered',
          checkpoints: [
            { checkpoint_time: '2026-11-22T09:00:00+08:00', tag: 'OutForDelivery', message: 'b' },
            { checkpoint_time: '2026-11-20T18:00:00-05:00', tag: 'InfoReceived', message: 'a' },
            { checkpoint_time: '2026-11-22T15:30:00+08:00', tag: 'Delivered', message: 'c' },
          ],
        }),
      ),
    );
    expect(result.checkpoints.map((c) => [c.at, c.status, c.message])).toEqual([
      ['2026-11-20T23:00:00.000Z', 'info', 'a'],
      ['2026-11-22T01:00:00.000Z', 'out_for_delivery', 'b'],
      ['2026-11-22T07:30:00.000Z', 'delivered', 'c'],
    ]);
  });

  it('a time without an offset is read as UTC; a date alone as its midnight UTC; "+0800" like "+08:00"; no time is left out', () => {
    const result = tracking(
      asAdapt(
        asBody({
          checkpoints: [
            { checkpoint_time: '2021-01-14T00:52:00', tag: 'InTransit', message: 'no offset' },
            { checkpoint_time: '2021-01-13', tag: 'InfoReceived', message: 'date only' },
            { checkpoint_time: '2021-01-15T08:00:00.250+0800', tag: 'InTransit', message: 'compact offset' },
            { checkpoint_time: '', tag: 'InTransit', message: 'empty' },
            { checkpoint_time: null, tag: 'InTransit', message: 'null' },
          ],
        }),
      ),
    );
    expect(result.checkpoints.map((c) => [c.at, c.message])).toEqual([
      ['2021-01-13T00:00:00.000Z', 'date only'],
      ['2021-01-14T00:52:00.000Z', 'no offset'],
      ['2021-01-15T00:00:00.250Z', 'compact offset'],
    ]);
  });

  it('builds the location from city, state and country when there is no location line', () => {
    const result = tracking(
      asAdapt(asBody({ checkpoints: [{ checkpoint_time: '2026-11-21T10:12:00Z', tag: 'InTransit', location: null, city: 'Louisville', state: 'KY', country_region: 'USA' }] })),
    );
    expect(result.checkpoints).toEqual([{ at: '2026-11-21T10:12:00.000Z', status: 'in_transit', location: 'Louisville, KY, USA' }]);
  });

  it('keeps the 50 newest of a long history, oldest first', () => {
    const checkpoints = Array.from({ length: 55 }, (_, i) => ({
      checkpoint_time: new Date(Date.UTC(2026, 10, 1) + i * 3_600_000).toISOString(),
      tag: 'InTransit',
      message: `scan ${i}`,
    }));
    const result = tracking(asAdapt(asBody({ checkpoints: checkpoints.reverse() })));
    expect(result.checkpoints).toHaveLength(50);
    expect(result.checkpoints[0]).toEqual({ at: '2026-11-01T05:00:00.000Z', status: 'in_transit', message: 'scan 5' });
    expect(result.checkpoints.at(-1)).toEqual({ at: '2026-11-03T06:00:00.000Z', status: 'in_transit', message: 'scan 54' });
  });

  it('names the fields that do not fit, never their values', () => {
    const broken = asBody({ tracking_number: '', checkpoints: [{ checkpoint_time: 'call 13800138000', tag: 'InTransit' }] });
    const result = asAdapt(broken);
    expect(result).toEqual({ kind: 'invalid', fields: ['msg.tracking_number', 'msg.checkpoints.0.checkpoint_time'] });
    expect(JSON.stringify(result)).not.toContain('13800138000');
    expect(aftershipAdapter.adapt('tracking_update', { event: 'tracking_update' }, request('aftership', '{}'))).toEqual({ kind: 'invalid', fields: ['msg'] });
  });

  it('ignores events other than tracking_update', () => {
    expect(asAdapt(asBody({ event: 'edd_revise' }))).toEqual({ kind: 'ignored' });
    expect(asAdapt(asBody({ event: 'tracking_pending_time' }))).toEqual({ kind: 'ignored' });
  });

  it('takes the topic from event and the delivery id from event_id', () => {
    const req = request('aftership', '{}');
    expect(aftershipAdapter.topicOf(req, asBody())).toBe('tracking_update');
    expect(aftershipAdapter.topicOf(req, { msg: {} })).toBeUndefined();
    expect(aftershipAdapter.deliveryIdOf(req, asBody())).toBe('3f645f5e-530b-4062-8695-db6a64420af8');
    expect(aftershipAdapter.deliveryIdOf(req, asBody())).toBe(aftershipAdapter.deliveryIdOf(req, asBody()));
    expect(aftershipAdapter.deliveryIdOf(req, asBody({ event_id: undefined }))).toBeUndefined();
  });

  it('acknowledges with ok and the outcome', () => {
    for (const outcome of ['applied', 'duplicate', 'ignored', 'unmatched'] as const) {
      expect(aftershipAdapter.acknowledgement!(outcome)).toEqual({ ok: true, outcome });
    }
  });
});
