import type { Context, SNSEvent, SNSEventRecord } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { handler as inboundSmsHandler } from '../../functions/inbound-sms/handler.ts';
import { logger } from '../../functions/logger.ts';
import { createRuntime, setRuntime } from '../../functions/runtime.ts';
import { manualClock } from '../../shared/clock.ts';
import { handleInboundSms, inboundSmsSchema, type OptOutStore } from '../../shared/optout/inbound-sms.ts';
import { matchOptOutKeyword, parseOptOutKeyword, parseSatisfactionReply } from '../../shared/optout/keywords.ts';

describe('opt-out keywords', () => {
  it.each([
    'STOP', 'stop', 'Stop', ' Stop. ', 'STOP!!!', 'ＳＴＯＰ', 'ｓｔｏｐ。', 'stop all', 'STOPALL', 'UNSUBSCRIBE', 'Unsubscribe.',
    'CANCEL', 'end', 'Quit', 'OPTOUT', 'opt-out', 'Opt out', 'stop stop stop', 'please stop', 'Stop, thanks!', 'stop 🙏',
    'TD', 'td', 'Td', 'ＴＤ', 'TD 谢谢', 'td谢谢', 'TD，谢谢！',
    '退订', '退订。', '【退订】', '"退订"', '退定', '退訂', '请退订', '退订谢谢', '我要退订', '取消订阅', '不要再发', '不要再发了', '退订了谢谢', '不要再發',
  ])('%j opts out', (text) => {
    expect(parseOptOutKeyword(text)).toBe('stop');
  });

  it.each(['START', 'start', 'Start.', 'ＳＴＡＲＴ', 'UNSTOP', 'subscribe', 'YES', 'yes!', '订阅', '恢复', '恢复订阅', '訂閱'])('%j opts back in', (text) => {
    expect(parseOptOutKeyword(text)).toBe('start');
  });

  it.each([
    "please don't stop sending",
    'STOP the delivery please now',
    'stop sending me the wrong size',
    'cancel my order',
    'the end',
    'yes it arrived, thanks',
    '我不想退订',
    '退订单',
    '不要退订',
    '怎么退订',
    '已经退订了吗',
    '订阅号在哪里',
    'TDD',
    'stopping',
    'when will it arrive',
    '什么时候到',
    '',
    '   ',
    '。。。',
    'stop '.repeat(60),
  ])('%j is not a keyword', (text) => {
    expect(parseOptOutKeyword(text)).toBeUndefined();
  });

  it('names the canonical keyword, never the customer text', () => {
    expect(matchOptOutKeyword('  ｔｄ 谢谢 ')).toEqual({ intent: 'stop', keyword: 'TD' });
    expect(matchOptOutKeyword('Opt-Out!')).toEqual({ intent: 'stop', keyword: 'OPTOUT' });
    expect(matchOptOutKeyword('请退订')).toEqual({ intent: 'stop', keyword: '退订' });
    expect(matchOptOutKeyword('start please')).toEqual({ intent: 'start', keyword: 'START' });
  });
});

describe('satisfaction replies', () => {
  it.each([
    ['1', 1], ['5', 5], [' 3 ', 3], ['４', 4], ['５！', 5], ['3分', 3], ['2.', 2], ['「4」', 4],
  ] as const)('%j scores %i', (text, score) => {
    expect(parseSatisfactionReply(text)).toBe(score);
  });

  it.each(['0', '6', '10', '4.5', '5 stars', 'I give it 5', '五', '', 'five'])('%j is not a score', (text) => {
    expect(parseSatisfactionReply(text)).toBeUndefined();
  });
});

/** A store that only records what it was asked to do. */
function recordingStore() {
  const calls: unknown[][] = [];
  const store: OptOutStore = {
    setSmsOptOut: async (...args) => void calls.push(['sms', ...args]),
    setEmailOptOut: async (...args) => void calls.push(['email', ...args]),
  };
  return { calls, store };
}

// The payload AWS End User Messaging SMS publishes to the inbound SNS topic.
const inbound = {
  originationNumber: '+8613800138000',
  destinationNumber: '+12065550100',
  messageKeyword: 'KEYWORD_123456789012',
  messageBody: '退订',
  inboundMessageId: 'cae173d2-66b9-564c-8309-21f858e9fb84',
  previousPublishedMessageId: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};
const now = new Date('2026-11-23T00:00:00Z');

describe('inbound SMS', () => {
  it('parses the two-way SMS payload, with only the number and the text required', () => {
    expect(inboundSmsSchema.parse(inbound)).toEqual(inbound);
    expect(inboundSmsSchema.safeParse({ originationNumber: '+14255550182', messageBody: 'STOP' }).success).toBe(true);
    expect(inboundSmsSchema.safeParse({ ...inbound, previousPublishedMessageId: null }).success).toBe(true);
    expect(inboundSmsSchema.safeParse({ ...inbound, originationNumber: '13800138000' }).success).toBe(false);
    expect(inboundSmsSchema.safeParse({ ...inbound, messageBody: undefined }).success).toBe(false);
  });

  it('opts the sending number out on 退订 and back in on START', async () => {
    const { calls, store } = recordingStore();
    expect(await handleInboundSms(inbound, store, now)).toEqual({ action: 'opted_out', keyword: '退订' });
    expect(await handleInboundSms({ ...inbound, messageBody: 'Td 谢谢' }, store, now)).toEqual({ action: 'opted_out', keyword: 'TD' });
    expect(await handleInboundSms({ ...inbound, messageBody: 'start' }, store, now)).toEqual({ action: 'opted_in', keyword: 'START' });
    expect(calls).toEqual([
      ['sms', '+8613800138000', true, now, 'sms:退订'],
      ['sms', '+8613800138000', true, now, 'sms:TD'],
      ['sms', '+8613800138000', false, now, 'sms:START'],
    ]);
  });

  it('ignores conversation and refuses what is not a two-way SMS payload, touching nothing', async () => {
    const { calls, store } = recordingStore();
    expect(await handleInboundSms({ ...inbound, messageBody: '我不想退订，什么时候到？' }, store, now)).toEqual({ action: 'ignored' });
    expect(await handleInboundSms({ ...inbound, originationNumber: 'not a number' }, store, now)).toEqual({ action: 'invalid' });
    expect(await handleInboundSms('STOP', store, now)).toEqual({ action: 'invalid' });
    expect(await handleInboundSms(undefined, store, now)).toEqual({ action: 'invalid' });
    expect(calls).toEqual([]);
  });

  it('never puts the phone number in its result', async () => {
    const { store } = recordingStore();
    const result = await handleInboundSms(inbound, store, now);
    expect(JSON.stringify(result)).not.toContain('13800138000');
  });
});

describe('inbound SMS function', () => {
  afterEach(() => {
    setRuntime(undefined);
    vi.restoreAllMocks();
  });

  const record = (message: string, id: string): SNSEventRecord =>
    ({ EventSource: 'aws:sns', Sns: { MessageId: id, Message: message, Timestamp: now.toISOString() } }) as unknown as SNSEventRecord;

  it('applies each record and skips malformed ones, logging no phone number or text', async () => {
    const { calls, store } = recordingStore();
    setRuntime(createRuntime({ CARELINE_TABLE: 'careline-test' }, { store: store as never, clock: manualClock(now) }));
    const logged: unknown[] = [];
    for (const level of ['debug', 'info', 'warn', 'error'] as const) vi.spyOn(logger, level).mockImplementation((...args: unknown[]) => void logged.push(args));

    const event: SNSEvent = {
      Records: [
        record('{not json +8613900139000', 'sns-1'),
        record(JSON.stringify({ ...inbound, originationNumber: '8613700137000' }), 'sns-2'),
        record(JSON.stringify({ ...inbound, messageBody: 'STOP' }), 'sns-3'),
        record(JSON.stringify({ ...inbound, originationNumber: '+8613600136000', messageBody: '在吗' }), 'sns-4'),
      ],
    };
    await inboundSmsHandler(event, {} as Context);

    expect(calls).toEqual([['sms', '+8613800138000', true, now, 'sms:STOP']]);
    const log = JSON.stringify(logged);
    expect(log).toContain('sns-1');
    expect(log).toContain('sns-2');
    for (const digits of ['13900139000', '13700137000', '13800138000', '13600136000']) expect(log).not.toContain(digits);
    expect(log).not.toContain('在吗');
  });

  it('fails the invocation when the store fails, so SNS retries it', async () => {
    const store: OptOutStore = {
      setSmsOptOut: async () => {
        throw new Error('throttled');
      },
      setEmailOptOut: async () => undefined,
    };
    setRuntime(createRuntime({ CARELINE_TABLE: 'careline-test' }, { store: store as never, clock: manualClock(now) }));
    await expect(inboundSmsHandler({ Records: [record(JSON.stringify(inbound), 'sns-1')] }, {} as Context)).rejects.toThrow('throttled');
  });
});
