import { Liquid } from 'liquidjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_TEMPLATES } from '../../shared/messages/default-templates.ts';
import { SAMPLE_VARS, SAMPLE_VARS_EN } from '../../shared/messages/sample-vars.ts';
import { kindSpec, MESSAGE_KIND_NAMES, type MessageKind } from '../../shared/messages/kinds.ts';
import { smsSegments } from '../../shared/messages/segments.ts';
import { renderMessage, type TemplateSource, templateLocale, validateTemplate } from '../../shared/messages/templates.ts';

// Prepare: what a tea shop in Hangzhou and one in Chicago would pass in.
const zhVars = SAMPLE_VARS;
const enVars = SAMPLE_VARS_EN;
// Longer, still ordinary: a Taobao-style 19-digit order number, a longer shop name and titles.
const zhLongVars = {
  ...zhVars,
  shop_name: '茶韵旗舰店',
  customer_name: '欧阳晓雨',
  order_number: '3712345678901234567',
  item_titles: '明前特级西湖龙井250克礼盒装、手工白瓷盖碗三件套',
  product_title: '明前特级西湖龙井250克礼盒装',
  tracking_number: 'SF1456789012345678',
  parcel_location: '浙江省杭州市余杭区转运中心',
  parcel_status: '快件已到达杭州转运中心，正发往上海',
  usage_tips: '90度水温冲泡，第一泡10秒出汤，之后每泡延长5秒，密封冷藏保存',
  pay_url: 'https://shop.example/pay/3712345678901234567',
  tracking_url: 'https://shop.example/t/SF1456789012345678',
  campaign_text: '双十一老客专享，全场8折，满299再送品鉴装',
};

const VARIANTS: Partial<Record<MessageKind, string[]>> = {
  payment_reminder: ['new', 'returning'],
  repurchase_reminder: ['price_sensitive', 'experience'],
};
const everyTemplate = MESSAGE_KIND_NAMES.flatMap((kind) => [undefined, ...(VARIANTS[kind] ?? [])].map((variant) => ({ kind, variant })));
const LIQUID_LEFTOVER = /\{\{|\}\}|\{%|%\}/;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('default templates', () => {
  it('cover every kind in both locales, and the segment variants', () => {
    for (const { kind, variant } of everyTemplate) {
      for (const locale of ['zh-CN', 'en'] as const) {
        expect(DEFAULT_TEMPLATES.filter((t) => t.kind === kind && t.locale === locale && t.variant === variant), `${kind} ${locale} ${variant}`).toHaveLength(1);
      }
    }
    expect(DEFAULT_TEMPLATES).toHaveLength(everyTemplate.length * 2);
  });

  it.each(everyTemplate)('$kind $variant renders in zh-CN: signed, within two segments, opt-out on care and marketing', ({ kind, variant }) => {
    for (const vars of [zhVars, zhLongVars]) {
      const rendered = renderMessage({ kind, locale: 'zh-CN', ...(variant ? { variant } : {}), vars });
      expect(rendered).toMatchObject({ kind, locale: 'zh-CN', source: 'default' });
      expect(rendered.variant).toBe(variant);
      expect(rendered.sms.text.startsWith(`【${vars.shop_name}】`)).toBe(true);
      expect(rendered.sms).toMatchObject({ encoding: 'UCS-2', truncated: false });
      expect(rendered.sms.segments, rendered.sms.text).toBeLessThanOrEqual(2);
      expect(rendered.sms.text.endsWith(' 回TD退订')).toBe(kindSpec(kind).class !== 'transactional');
      for (const text of [rendered.sms.text, rendered.email.subject, rendered.email.body]) {
        expect(text, kind).not.toMatch(LIQUID_LEFTOVER);
        expect(text.length, kind).toBeGreaterThan(4);
      }
      expect(rendered.email.body.endsWith(vars.shop_name)).toBe(true);
    }
  });

  it.each(everyTemplate)('$kind $variant renders in English: named, GSM-7, opt-out on care and marketing', ({ kind, variant }) => {
    const rendered = renderMessage({ kind, locale: 'en', ...(variant ? { variant } : {}), vars: enVars });
    expect(rendered).toMatchObject({ kind, locale: 'en', source: 'default' });
    expect(rendered.variant).toBe(variant);
    expect(rendered.sms.text.startsWith('Leaf & Cup: Hi Amy! ')).toBe(true);
    expect(rendered.sms.encoding).toBe('GSM-7');
    expect(rendered.sms.segments, rendered.sms.text).toBeLessThanOrEqual(2);
    expect(rendered.sms.text.endsWith('Reply STOP to opt out.')).toBe(kindSpec(kind).class !== 'transactional');
    expect(rendered.email.subject).not.toMatch(/\n/);
    for (const text of [rendered.sms.text, rendered.email.subject, rendered.email.body]) expect(text).not.toMatch(LIQUID_LEFTOVER);
  });

  it.each(everyTemplate)('$kind $variant reads whole with no values at all', ({ kind, variant }) => {
    for (const locale of ['zh-CN', 'en']) {
      const rendered = renderMessage({ kind, locale, ...(variant ? { variant } : {}), vars: {} });
      const { text } = rendered.sms;
      expect(text, `${kind} ${locale}`).not.toMatch(/【】|\s{2}|\s[,.:;!?，。：；]|[（(]\s*[)）]|[:：]$|^[,.，。]/);
      expect(text).not.toMatch(/undefined|null/);
      expect(rendered.email.body).not.toMatch(/undefined|null|\n{3}/);
    }
  });

  it('greets by name only when there is one', () => {
    const named = renderMessage({ kind: 'delivered', locale: 'zh-CN', vars: zhVars });
    const anonymous = renderMessage({ kind: 'delivered', locale: 'zh-CN', vars: { ...zhVars, customer_name: '' } });
    expect(named.sms.text.startsWith('【茶韵】晓雨，您的包裹已签收')).toBe(true);
    expect(anonymous.sms.text.startsWith('【茶韵】您的包裹已签收')).toBe(true);
    expect(anonymous.email.body.startsWith('您好：')).toBe(true);
    expect(renderMessage({ kind: 'delivered', locale: 'en', vars: { ...enVars, customer_name: '' } }).sms.text.startsWith('Leaf & Cup: Your parcel')).toBe(true);
  });

  it('promises shipping today to a new customer only while the cut-off can be made', () => {
    const withCutoff = renderMessage({ kind: 'payment_reminder', locale: 'zh-CN', variant: 'new', vars: zhVars });
    expect(withCutoff.sms.text).toBe('【茶韵】晓雨，您拍下的西湖龙井、白瓷盖碗还未付款，16:00前付款，今天就发货。付款：https://shop.example/pay/1001');
    for (const cutoff of [{ cutoff_time: '' }, { cutoff_time: undefined }, {}]) {
      const { cutoff_time: _, ...rest } = zhVars;
      const without = renderMessage({ kind: 'payment_reminder', locale: 'zh-CN', variant: 'new', vars: { ...rest, ...cutoff } });
      expect(without.sms.text).not.toMatch(/16:00|今天|前付款/);
      expect(without.email.body).not.toMatch(/16:00|今天|前付款/);
      expect(without.sms.text).toContain('付款后我们马上为您打包发货');
    }
    expect(renderMessage({ kind: 'payment_reminder', locale: 'en', variant: 'new', vars: enVars }).sms.text).toContain('Pay before 16:00 and it ships today.');
    expect(renderMessage({ kind: 'payment_reminder', locale: 'en', variant: 'new', vars: { ...enVars, cutoff_time: '' } }).sms.text).not.toMatch(/before|today/);
  });

  it('thanks a returning customer and puts their order first', () => {
    expect(renderMessage({ kind: 'payment_reminder', locale: 'zh-CN', variant: 'returning', vars: zhVars }).sms.text).toMatch(/谢谢您又一次选择我们！.*优先为您打包/);
    expect(renderMessage({ kind: 'payment_reminder', locale: 'en', variant: 'returning', vars: enVars }).email.body).toContain("As a valued customer, we'll prioritise your order");
  });

  it('speaks to price-sensitive and experience-minded customers differently', () => {
    const price = renderMessage({ kind: 'repurchase_reminder', locale: 'zh-CN', variant: 'price_sensitive', vars: zhVars }).sms.text;
    const experience = renderMessage({ kind: 'repurchase_reminder', locale: 'zh-CN', variant: 'experience', vars: zhVars }).sms.text;
    expect(price).toContain('双十一老客专享，全场8折，现在补货更划算');
    expect(experience).toContain('为了不打断您的使用');
    // With no offer to make, the price-sensitive words promise none.
    expect(renderMessage({ kind: 'repurchase_reminder', locale: 'zh-CN', variant: 'price_sensitive', vars: { ...zhVars, campaign_text: '' } }).sms.text).not.toMatch(/划算|优惠/);
  });

  it('asks for a one-digit check-in reply the inbound SMS parser understands', () => {
    expect(renderMessage({ kind: 'check_in', locale: 'zh-CN', vars: zhVars }).sms.text).toContain('回复数字1-5');
    expect(renderMessage({ kind: 'check_in', locale: 'en', vars: enVars }).sms.text).toContain('Reply 1-5');
  });

  it('gives a shop-supplied opt-out wording instead of the default one', () => {
    const text = renderMessage({ kind: 'campaign', locale: 'zh-CN', vars: { ...zhVars, unsubscribe_hint: '拒收请回复R' } }).sms.text;
    expect(text.endsWith(' 拒收请回复R')).toBe(true);
    expect(text).not.toContain('回TD退订');
    expect(renderMessage({ kind: 'campaign', locale: 'zh-CN', vars: { ...zhVars, unsubscribe_hint: '' } }).sms.text.endsWith(' 回TD退订')).toBe(true);
  });
});

describe('renderMessage: which template', () => {
  const shipped = (locale: 'zh-CN' | 'en', sms: string, variant?: string): TemplateSource => ({ kind: 'order_shipped', locale, ...(variant !== undefined ? { variant } : {}), sms, emailSubject: 's', emailBody: 'b' });

  it.each([
    ['zh-CN', 'zh-CN'],
    ['zh', 'zh-CN'],
    ['zh-TW', 'zh-CN'],
    ['zh_Hant_HK', 'zh-CN'],
    ['ZH-cn', 'zh-CN'],
    ['en', 'en'],
    ['en-GB', 'en'],
    ['fr', 'en'],
    ['', 'en'],
    ['zhx', 'en'],
  ])('maps locale %j to %s', (locale, expected) => {
    expect(templateLocale(locale)).toBe(expected);
    expect(renderMessage({ kind: 'order_shipped', locale, vars: zhVars }).locale).toBe(expected);
  });

  it('falls back from an unknown variant to the general template', () => {
    const rendered = renderMessage({ kind: 'payment_reminder', locale: 'zh-CN', variant: 'vip', vars: zhVars });
    expect(rendered.variant).toBeUndefined();
    expect(rendered.sms.text).toBe('【茶韵】晓雨，您拍下的西湖龙井、白瓷盖碗还未付款，16:00前付款今天就能发货。付款：https://shop.example/pay/1001');
    expect(renderMessage({ kind: 'order_shipped', locale: 'en', variant: 'new', vars: enVars }).variant).toBeUndefined();
    expect(renderMessage({ kind: 'repurchase_reminder', locale: 'en', variant: 'experience', vars: enVars }).variant).toBe('experience');
  });

  it("lets the shop's template win, in the lookup order", () => {
    const exact = shipped('zh-CN', '【{{ shop_name }}】新款发货 {{ tracking_number }}', 'new');
    const general = shipped('zh-CN', '【{{ shop_name }}】发货啦 {{ tracking_number }}');
    expect(renderMessage({ kind: 'order_shipped', locale: 'zh-CN', vars: zhVars, overrides: [exact, general] })).toMatchObject({ source: 'shop', sms: { text: '【茶韵】发货啦 SF1456789012345' } });
    expect(renderMessage({ kind: 'order_shipped', locale: 'zh-CN', variant: 'new', vars: zhVars, overrides: [general, exact] })).toMatchObject({ source: 'shop', variant: 'new', sms: { text: '【茶韵】新款发货 SF1456789012345' } });
    // An empty variant stored by a shop means "no variant".
    expect(renderMessage({ kind: 'order_shipped', locale: 'zh-CN', vars: zhVars, overrides: [shipped('zh-CN', '【{{ shop_name }}】到', '')] }).sms.text).toBe('【茶韵】到');
  });

  it("prefers Careline's template for the customer's segment over the shop's general one", () => {
    const shopGeneral: TemplateSource = { kind: 'payment_reminder', locale: 'zh-CN', sms: '【{{ shop_name }}】请付款', emailSubject: 's', emailBody: 'b' };
    const rendered = renderMessage({ kind: 'payment_reminder', locale: 'zh-CN', variant: 'returning', vars: zhVars, overrides: [shopGeneral] });
    expect(rendered).toMatchObject({ source: 'default', variant: 'returning' });
    expect(renderMessage({ kind: 'payment_reminder', locale: 'zh-CN', variant: 'vip', vars: zhVars, overrides: [shopGeneral] })).toMatchObject({ source: 'shop', sms: { text: '【茶韵】请付款' } });
  });

  it("ignores the shop's templates for other kinds and locales", () => {
    const rendered = renderMessage({ kind: 'order_shipped', locale: 'zh-CN', vars: zhVars, overrides: [shipped('en', 'EN'), { ...shipped('zh-CN', 'X'), kind: 'delivered' }] });
    expect(rendered.source).toBe('default');
  });

  it("falls back to the other locale when a kind has no template in the customer's", async () => {
    vi.resetModules();
    vi.doMock('../../shared/messages/default-templates.ts', () => ({ DEFAULT_TEMPLATES: [shipped('en', '{{ shop_name }}: shipped')] }));
    try {
      const fresh = await import('../../shared/messages/templates.ts');
      expect(fresh.renderMessage({ kind: 'order_shipped', locale: 'zh-CN', vars: enVars })).toMatchObject({ locale: 'en', source: 'default', sms: { text: 'Leaf & Cup: shipped' } });
      // The shop's template in the customer's own locale still comes first.
      expect(fresh.renderMessage({ kind: 'order_shipped', locale: 'zh-TW', vars: zhVars, overrides: [shipped('zh-CN', '【{{ shop_name }}】已发货')] })).toMatchObject({ locale: 'zh-CN', source: 'shop' });
      expect(() => fresh.renderMessage({ kind: 'delivered', locale: 'en', vars: {} })).toThrow(/no template for message kind delivered/);
    } finally {
      vi.doUnmock('../../shared/messages/default-templates.ts');
      vi.resetModules();
    }
  });

  it("passes over a shop's template that cannot render, and says why", () => {
    const broken = shipped('zh-CN', '【{{ shop_name }}】{% if tracking_number %}发货啦');
    const rendered = renderMessage({ kind: 'order_shipped', locale: 'zh-CN', vars: zhVars, overrides: [broken] });
    expect(rendered.source).toBe('default');
    expect(rendered.sms.text.startsWith('【茶韵】晓雨，您的西湖龙井')).toBe(true);
    expect(rendered.overrideError).toMatch(/^zh-CN: .*not closed/);
  });

  it('refuses a kind it does not know', () => {
    expect(() => renderMessage({ kind: 'flash_sale' as MessageKind, locale: 'en', vars: {} })).toThrow(/unknown message kind flash_sale/);
  });

  it('parses each template source once', () => {
    const parse = vi.spyOn(Liquid.prototype, 'parse');
    const own = shipped('zh-CN', '【{{ shop_name }}】只解析一次 {{ tracking_number }}');
    for (let i = 0; i < 3; i++) renderMessage({ kind: 'order_shipped', locale: 'zh-CN', vars: zhVars, overrides: [own] });
    expect(parse.mock.calls.filter(([source]) => source === own.sms)).toHaveLength(1);
  });
});

describe('renderMessage: the text', () => {
  it('reports the segments of the SMS it returns', () => {
    for (const { kind, variant } of everyTemplate) {
      const { sms } = renderMessage({ kind, locale: 'zh-CN', ...(variant ? { variant } : {}), vars: zhLongVars });
      const { text, truncated: _, ...length } = sms;
      expect(length).toEqual(smsSegments(text));
    }
    expect(renderMessage({ kind: 'order_shipped', locale: 'zh-CN', vars: zhVars }).sms).toMatchObject({ encoding: 'UCS-2', units: 89, segments: 2, perSegment: 67 });
  });

  it('renders the SMS alone when no email can be sent, the same SMS as in a full render', () => {
    const full = renderMessage({ kind: 'payment_reminder', locale: 'zh-CN', variant: 'new', vars: zhVars });
    const smsOnly = renderMessage({ kind: 'payment_reminder', locale: 'zh-CN', variant: 'new', vars: zhVars, email: false });
    expect(smsOnly.sms).toEqual(full.sms);
    expect(smsOnly.email).toBeUndefined();
    expect(full.email?.body.length).toBeGreaterThan(0);
  });

  it("shortens to the shop's segment cap and says so, keeping the opt-out", () => {
    const capped = renderMessage({ kind: 'campaign', locale: 'zh-CN', vars: { ...zhVars, campaign_text: '好茶'.repeat(100) }, maxSmsSegments: 1 });
    expect(capped.sms).toMatchObject({ segments: 1, truncated: true });
    expect(capped.sms.text).toMatch(/^【茶韵】晓雨，(好茶)+好?… 回TD退订$/);
    const roomy = renderMessage({ kind: 'campaign', locale: 'zh-CN', vars: zhVars, maxSmsSegments: 3 });
    expect(roomy.sms.truncated).toBe(false);
  });

  it('keeps the closing link whole when it shortens a transactional SMS', () => {
    const rendered = renderMessage({ kind: 'payment_reminder', locale: 'zh-CN', variant: 'new', vars: zhLongVars, maxSmsSegments: 1 });
    expect(rendered.sms).toMatchObject({ segments: 1, truncated: true });
    expect(rendered.sms.text.endsWith('…https://shop.example/pay/3712345678901234567')).toBe(true);
    expect(rendered.sms.text.startsWith('【茶韵旗舰店】')).toBe(true);
  });

  it('adds the opt-out to a shop care or marketing SMS that forgot it, and only there', () => {
    const own = (kind: MessageKind, sms: string): TemplateSource => ({ kind, locale: 'zh-CN', sms, emailSubject: 's', emailBody: 'b' });
    expect(renderMessage({ kind: 'review_request', locale: 'zh-CN', vars: zhVars, overrides: [own('review_request', '【{{ shop_name }}】求好评')] }).sms.text).toBe('【茶韵】求好评 回TD退订');
    expect(renderMessage({ kind: 'campaign', locale: 'zh-CN', vars: zhVars, overrides: [own('campaign', '【{{ shop_name }}】上新啦，退订回T')] }).sms.text).toBe('【茶韵】上新啦，退订回T');
    expect(renderMessage({ kind: 'delivered', locale: 'zh-CN', vars: zhVars, overrides: [own('delivered', '【{{ shop_name }}】已签收')] }).sms.text).toBe('【茶韵】已签收');
  });

  it('writes plain text: nothing HTML-escaped, whitespace left by empty values tidied', () => {
    const own: TemplateSource = { kind: 'order_shipped', locale: 'en', sms: '{{ shop_name }}:  {{ customer_name }}  <3 {{ carrier }} "{{ tracking_number }}"', emailSubject: 'Hi\n{{ customer_name }}\nthere', emailBody: 'a\n\n\n\nb' };
    const rendered = renderMessage({ kind: 'order_shipped', locale: 'en', vars: { shop_name: 'Leaf & Cup', carrier: 'UPS', tracking_number: '1Z' }, overrides: [own] });
    expect(rendered.sms.text).toBe('Leaf & Cup: <3 UPS "1Z"');
    expect(rendered.email).toEqual({ subject: 'Hi there', body: 'a\n\nb' });
  });

  it('treats an empty value as false, as merchants expect', () => {
    const own: TemplateSource = { kind: 'delivered', locale: 'en', sms: '{% if customer_name %}named{% else %}anonymous{% endif %}', emailSubject: 's', emailBody: 'b' };
    expect(renderMessage({ kind: 'delivered', locale: 'en', vars: { customer_name: '' }, overrides: [own] }).sms.text).toBe('anonymous');
    expect(renderMessage({ kind: 'delivered', locale: 'en', vars: { customer_name: 'Amy' }, overrides: [own] }).sms.text).toBe('named');
  });

  it('spells typographic quotes and dashes in GSM-7 so an English SMS stays in 160-unit segments', () => {
    const rendered = renderMessage({ kind: 'order_shipped', locale: 'en', vars: { ...enVars, item_titles: 'Men’s Tee' } });
    const own: TemplateSource = { kind: 'order_shipped', locale: 'en', sms: '{{ shop_name }}: your {{ item_titles }} — on its way…', emailSubject: 's', emailBody: 'b' };
    const withQuote = renderMessage({ kind: 'order_shipped', locale: 'en', vars: { ...enVars, item_titles: 'Men’s Tee' }, overrides: [own] });
    expect(rendered.sms.encoding).toBe('GSM-7');
    expect(withQuote.sms).toMatchObject({ text: "Leaf & Cup: your Men's Tee - on its way...", encoding: 'GSM-7' });
  });
});

describe('filters', () => {
  const render = (sms: string, vars: Record<string, unknown>, locale: 'zh-CN' | 'en' = 'zh-CN') =>
    renderMessage({ kind: 'order_shipped', locale, vars, overrides: [{ kind: 'order_shipped', locale, sms, emailSubject: 's', emailBody: 'b' }] }).sms.text;

  it('clip keeps a title short, counting a Chinese character or emoji as one, and cuts English between words', () => {
    expect(render('{{ t | clip: 5 }}', { t: '明前特级西湖龙井' })).toBe('明前特级…');
    expect(render('{{ t | clip: 5 }}', { t: '西湖龙井' })).toBe('西湖龙井');
    expect(render('{{ t | clip: 3 }}', { t: '😀😀😀😀' })).toBe('😀😀…');
    expect(render('{{ t | clip: 20 }}', { t: 'Dragon Well tea, white gaiwan' }, 'en')).toBe('Dragon Well tea...');
  });

  it('money formats minor units in the template locale and passes a formatted string through', () => {
    expect(render("{{ total | money: 'CNY' }}", { total: 43400 })).toBe('¥434.00');
    expect(render("{{ total | money: 'JPY' }}", { total: 4340 }, 'en')).toBe('¥4,340');
    expect(render("{{ total | money: 'USD' }}", { total: '$43.40' }, 'en')).toBe('$43.40');
  });

  it('sentence ends a text with a full stop unless it has one', () => {
    expect(render('{{ t | sentence }}', { t: '全场8折' })).toBe('全场8折。');
    expect(render('{{ t | sentence }}', { t: '全场8折！' })).toBe('全场8折！');
    expect(render('{{ t | sentence }}', { t: '20% off' }, 'en')).toBe('20% off.');
  });
});

describe('validateTemplate', () => {
  it('accepts what merchants write', () => {
    expect(validateTemplate('【{{ shop_name }}】{% if customer_name %}{{ customer_name }}，{% endif %}您的{{ item_titles | clip: 10 }}已发货')).toEqual({ ok: true });
    expect(validateTemplate('{{ order_total | money: "CNY" | default: "" }} {{ shop_name | upcase }}')).toEqual({ ok: true });
  });

  it.each([
    ['an unclosed if', '{% if customer_name %}hello'],
    ['an unclosed output', '{{ shop_name '],
    ['an unknown tag', '{% ifx customer_name %}{% endifx %}'],
    ['an unknown filter', '{{ shop_name | shout }}'],
    ['a file include', "{% include 'secrets' %}"],
    ['a render of a file', "{% render '/etc/passwd' %}"],
    ['a layout', "{% layout 'x' %}"],
    ['a runaway loop', '{% for i in (1..100000000) %}x{% endfor %}'],
  ])('rejects %s', (_, source) => {
    const checked = validateTemplate(source);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.error.length).toBeGreaterThan(5);
  });
});
