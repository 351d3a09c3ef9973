import { describe, expect, it } from 'vitest';
import { handleInboundSms, inboundSmsSchema, type OptOutStore } from '../../shared/optout/inbound-sms.ts';
import { parseOptOutKeyword, parseSatisfactionReply } from '../../shared/optout/keywords.ts';
import { createUnsubscribeToken, verifyUnsubscribeToken } from '../../shared/optout/unsubscribe-token.ts';
import { confirmPage } from '../../shared/optout/unsubscribe-page.ts';

describe('STOP and START, in English and Chinese', () => {
  it.each(['STOP', 'stop', ' Stop. ', 'ＳＴＯＰ', 'UNSUBSCRIBE', 'TD', 'td', 'Td', '退订', '退订。', 'TD 谢谢', '取消订阅', 'stop thanks'])('%j opts out', (text) => {
    expect(parseOptOutKeyword(text)).toBe('stop');
  });
  it.each(['START', 'start', '订阅', 'UNSTOP'])('%j opts back in', (text) => {
    expect(parseOptOutKeyword(text)).toBe('start');
  });
  it.each(["please don't stop sending", '我不想退订', 'when will it arrive', '', 'STOP the delivery please now'])('%j is not a keyword', (text) => {
    expect(parseOptOutKeyword(text)).toBeUndefined();
  });
  it('reads one-digit check-in replies', () => {
    expect(parseSatisfactionReply('5')).toBe(5);
    expect(parseSatisfactionReply('４')).toBe(4);
    expect(parseSatisfactionReply('3分')).toBe(3);
    expect(parseSatisfactionReply('6')).toBeUndefined();
    expect(parseSatisfactionReply('5 stars')).toBeUndefined();
  });
});

describe('inbound SMS', () => {
  const calls: unknown[][] = [];
  const store: OptOutStore = {
    setSmsOptOut: async (...args) => void calls.push(['sms', ...args]),
    setEmailOptOut: async (...args) => void calls.push(['email', ...args]),
  };
  const now = new Date('2026-11-23T00:00:00Z');
  it('opts the sending number out on 退订 and back in on START', async () => {
    const message = inboundSmsSchema.parse({ originationNumber: '+8613800138000', destinationNumber: '+12065550100', messageBody: '退订', inboundMessageId: 'x' });
    expect(await handleInboundSms(message, store, now)).toBe('opted_out');
    expect(await handleInboundSms({ ...message, messageBody: 'START' }, store, now)).toBe('opted_in');
    expect(await handleInboundSms({ ...message, messageBody: '什么时候到' }, store, now)).toBe('ignored');
    expect(calls).toEqual([
      ['sms', '+8613800138000', true, now, 'sms:退订'],
      ['sms', '+8613800138000', false, now, 'sms:START'],
    ]);
  });
});

describe('unsubscribe links', () => {
  const claim = { shopId: 'tea-house', customerId: '7012345678901234567', channel: 'email' as const };
  it('round-trips, survives a secret rotation, and refuses tampering', () => {
    const token = createUnsubscribeToken(claim, 'old-secret');
    expect(verifyUnsubscribeToken(token, ['old-secret'])).toEqual(claim);
    expect(verifyUnsubscribeToken(token, ['new-secret', 'old-secret'])).toEqual(claim);
    expect(verifyUnsubscribeToken(token, ['new-secret'])).toBeUndefined();
    const [v, payload, sig] = token.split('.');
    const forged = Buffer.from(JSON.stringify(['other-shop', claim.customerId, 'email'])).toString('base64url');
    expect(verifyUnsubscribeToken(`${v}.${forged}.${sig}`, ['old-secret'])).toBeUndefined();
    expect(verifyUnsubscribeToken(`${v}.${payload}.${sig!.slice(0, -2)}`, ['old-secret'])).toBeUndefined();
    expect(verifyUnsubscribeToken('garbage', ['old-secret'])).toBeUndefined();
    expect(token.length).toBeLessThan(200);
  });
  it('asks before unsubscribing (a POST form), with no external resources', () => {
    const html = confirmPage();
    expect(html).toContain('<form method="post">');
    expect(html).not.toMatch(/https?:\/\//);
  });
});
