import { describe, expect, it } from 'vitest';
import { MESSAGE_KIND_NAMES } from '../../shared/messages/kinds.ts';
import { smsSegments, truncateToSegments } from '../../shared/messages/segments.ts';
import { renderMessage, validateTemplate } from '../../shared/messages/templates.ts';

describe('SMS segments', () => {
  it.each([
    ['a'.repeat(160), 'GSM-7', 1],
    ['a'.repeat(161), 'GSM-7', 2],
    ['a'.repeat(306), 'GSM-7', 2],
    ['a'.repeat(307), 'GSM-7', 3],
    ['中'.repeat(70), 'UCS-2', 1],
    ['中'.repeat(71), 'UCS-2', 2],
    ['中'.repeat(134), 'UCS-2', 2],
    ['中'.repeat(135), 'UCS-2', 3],
  ])('%#: %s chars → %s, %i segment(s)', (text, encoding, segments) => {
    expect(smsSegments(text)).toMatchObject({ encoding, segments });
  });

  it('counts GSM extension characters as two units', () => {
    expect(smsSegments('€'.repeat(80))).toMatchObject({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(smsSegments('€'.repeat(81))).toMatchObject({ units: 162, segments: 2 });
  });

  it('makes mixed Chinese and ASCII text UCS-2, one unit per character', () => {
    const text = '【茶韵】您的订单#1001已发货，顺丰单号SF1456789012345。';
    expect(smsSegments(text)).toMatchObject({ encoding: 'UCS-2', units: [...text].length, segments: 1 });
    expect(smsSegments(`${text}${'a'.repeat(70 - [...text].length + 1)}`).segments).toBe(2);
  });

  it('counts an emoji as two units and never splits it across segments', () => {
    expect(smsSegments('😀').units).toBe(2);
    // 66 units then an emoji: it does not fit the 67-unit segment's last unit, so it starts segment 2.
    expect(smsSegments(`${'中'.repeat(66)}😀${'中'.repeat(66)}`)).toMatchObject({ units: 134, segments: 3 });
  });

  it('shortens to a segment cap, keeping GSM-7 text in GSM-7', () => {
    const long = 'Your parcel is on its way. '.repeat(20);
    const cut = truncateToSegments(long, 2);
    expect(smsSegments(cut)).toMatchObject({ encoding: 'GSM-7', segments: 2 });
    expect(cut.endsWith('...')).toBe(true);
    expect(smsSegments(truncateToSegments('中'.repeat(300), 1)).segments).toBe(1);
  });
});

describe('templates', () => {
  const vars = {
    shop_name: '茶韵',
    customer_name: '晓雨',
    order_number: '#1001',
    order_total: '¥434.00',
    pay_url: 'https://s.example/p/1001',
    cutoff_time: '16:00',
    carrier: '顺丰速运',
    tracking_number: 'SF1456789012345',
    tracking_url: 'https://sf.example/SF1456789012345',
    parcel_location: '杭州转运中心',
    usage_tips: '90度水温冲泡',
    product_title: '龙井',
    check_in_day: '3',
    review_url: 'https://s.example/r',
    repurchase_url: 'https://s.example/b',
    campaign_text: '双十一老客专享',
  };

  it('renders every kind in both locales, with and without variables, in at most 2 zh-CN segments', () => {
    for (const kind of MESSAGE_KIND_NAMES) {
      for (const locale of ['zh-CN', 'en']) {
        const full = renderMessage({ kind, locale, vars });
        expect(full.sms.text.length, `${kind} ${locale}`).toBeGreaterThan(10);
        expect(full.email.subject.length).toBeGreaterThan(2);
        if (locale === 'zh-CN') {
          expect(full.sms.text.startsWith('【茶韵】'), kind).toBe(true);
          expect(full.sms.segments, kind).toBeLessThanOrEqual(2);
        }
        expect(() => renderMessage({ kind, locale, vars: {} })).not.toThrow();
      }
    }
  });

  it('speaks differently to new and returning customers, and names the cut-off only when it is reachable', () => {
    const fresh = renderMessage({ kind: 'payment_reminder', locale: 'zh-CN', variant: 'new', vars });
    expect(fresh.sms.text).toContain('16:00前付款，今天就发货');
    expect(renderMessage({ kind: 'payment_reminder', locale: 'zh-CN', variant: 'new', vars: { ...vars, cutoff_time: '' } }).sms.text).not.toContain('16:00');
    expect(renderMessage({ kind: 'payment_reminder', locale: 'zh-CN', variant: 'returning', vars }).sms.text).toContain('优先');
    expect(renderMessage({ kind: 'payment_reminder', locale: 'en', variant: 'new', vars }).sms.text).toContain('Pay before 16:00 and it ships today');
  });

  it('falls back from an unknown variant and locale, and lets a shop override win', () => {
    expect(renderMessage({ kind: 'order_shipped', locale: 'zh-TW', variant: 'nope', vars }).locale).toBe('zh-CN');
    expect(renderMessage({ kind: 'order_shipped', locale: 'fr', vars }).locale).toBe('en');
    const own = renderMessage({ kind: 'order_shipped', locale: 'zh-CN', vars, overrides: [{ kind: 'order_shipped', locale: 'zh-CN', sms: '【{{ shop_name }}】发货啦 {{ tracking_number }}', emailSubject: 's', emailBody: 'b' }] });
    expect(own).toMatchObject({ source: 'shop', sms: { text: '【茶韵】发货啦 SF1456789012345' } });
  });

  it('reports truncation under a shop segment cap, and rejects broken template syntax', () => {
    const capped = renderMessage({ kind: 'campaign', locale: 'zh-CN', vars: { ...vars, campaign_text: '好茶'.repeat(100) }, maxSmsSegments: 1 });
    expect(capped.sms).toMatchObject({ segments: 1, truncated: true });
    expect(validateTemplate('{% if x %}open')).toMatchObject({ ok: false });
    expect(validateTemplate('{{ shop_name }}')).toEqual({ ok: true });
  });
});
