import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isGsm7, preferGsm7, smsSegments, truncateToSegments } from '../../shared/messages/segments.ts';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('smsSegments: GSM-7', () => {
  it.each([
    [160, 1, 160],
    [161, 2, 153],
    [306, 2, 153],
    [307, 3, 153],
  ])('%i ASCII characters → %i segment(s) of %i', (length, segments, perSegment) => {
    expect(smsSegments('a'.repeat(length))).toEqual({ encoding: 'GSM-7', characters: length, units: length, segments, perSegment });
  });

  it('sends nothing for an empty text', () => {
    expect(smsSegments('')).toMatchObject({ characters: 0, units: 0, segments: 0 });
  });

  it('knows the whole basic alphabet, and nothing that only looks like it', () => {
    const basic = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
    expect([...basic]).toHaveLength(127);
    expect(smsSegments(basic)).toMatchObject({ encoding: 'GSM-7', units: 127, segments: 1 });
    for (const outside of ['ç', 'á', '`', '’', '…', '°', '\t', 'Ё']) expect(isGsm7(`Hello ${outside}`), outside).toBe(false);
  });

  it('counts each extension character (^{}\\[~]|€ and form feed) as two units', () => {
    for (const char of ['^', '{', '}', '\\', '[', '~', ']', '|', '€', '\f']) {
      expect(smsSegments(`a${char}`), JSON.stringify(char)).toMatchObject({ encoding: 'GSM-7', characters: 2, units: 3 });
    }
    expect(smsSegments('€'.repeat(80))).toMatchObject({ units: 160, segments: 1 });
    expect(smsSegments('€'.repeat(81))).toMatchObject({ units: 162, segments: 2, perSegment: 153 });
  });

  it('never splits an escape sequence across two parts', () => {
    // 152 + 2 does not fit the first 153-unit part: the "€" opens the second, which then overflows.
    const text = `${'a'.repeat(152)}€${'a'.repeat(152)}`;
    expect(smsSegments(text)).toMatchObject({ units: 306, segments: 3 });
  });
});

describe('smsSegments: UCS-2', () => {
  it.each([
    [70, 1, 70],
    [71, 2, 67],
    [134, 2, 67],
    [135, 3, 67],
  ])('%i Chinese characters → %i segment(s) of %i', (length, segments, perSegment) => {
    expect(smsSegments('中'.repeat(length))).toEqual({ encoding: 'UCS-2', characters: length, units: length, segments, perSegment });
  });

  it('makes mixed Chinese and ASCII text UCS-2, one unit per ASCII character', () => {
    const seventy = `订单${'a'.repeat(68)}`;
    expect(smsSegments(seventy)).toMatchObject({ encoding: 'UCS-2', units: 70, segments: 1 });
    expect(smsSegments(`${seventy}b`)).toMatchObject({ units: 71, segments: 2 });
    // An extension character is one ordinary UCS-2 unit, not two.
    expect(smsSegments('中€').units).toBe(2);
  });

  it('turns the whole message UCS-2 for a single character outside GSM-7', () => {
    expect(smsSegments(`${'a'.repeat(100)}’`)).toMatchObject({ encoding: 'UCS-2', units: 101, segments: 2 });
  });

  it('counts an emoji as two units and never splits its surrogate pair across parts', () => {
    expect(smsSegments('😀')).toMatchObject({ encoding: 'UCS-2', characters: 1, units: 2, segments: 1 });
    expect(smsSegments(`${'中'.repeat(68)}😀`)).toMatchObject({ units: 70, segments: 1 });
    expect(smsSegments(`${'中'.repeat(69)}😀`)).toMatchObject({ units: 71, segments: 2 });
    // 66 units, then a pair that would straddle units 67/68: it moves whole into the second part.
    expect(smsSegments(`${'中'.repeat(66)}😀${'中'.repeat(66)}`)).toMatchObject({ characters: 133, units: 134, segments: 3 });
  });

  it('measures a realistic zh-CN shipping SMS', () => {
    const sms = '【茶韵】晓雨，您的西湖龙井、白瓷盖碗已经发货啦，顺丰速运单号SF1456789012345。查看物流：https://shop.example/t/SF1456789012345';
    expect(smsSegments(sms)).toEqual({ encoding: 'UCS-2', characters: 89, units: 89, segments: 2, perSegment: 67 });
  });
});

describe('truncateToSegments', () => {
  it('leaves a text that fits alone', () => {
    expect(truncateToSegments('【茶韵】您的包裹已签收。', 1)).toBe('【茶韵】您的包裹已签收。');
  });

  it('cuts UCS-2 text to the cap with "…"', () => {
    const cut = truncateToSegments('好茶'.repeat(100), 1);
    expect(cut).toBe(`${'好茶'.repeat(34)}好…`);
    expect(smsSegments(cut)).toMatchObject({ units: 70, segments: 1 });
    expect(smsSegments(truncateToSegments('中'.repeat(300), 2))).toMatchObject({ units: 134, segments: 2 });
  });

  it('keeps GSM-7 text in GSM-7, ending it with "..." rather than a UCS-2 "…"', () => {
    const cut = truncateToSegments('Your parcel is on its way. '.repeat(20), 2);
    expect(smsSegments(cut)).toMatchObject({ encoding: 'GSM-7', segments: 2 });
    // 306 units hold eleven sentences and "Your p": the cut steps back to the last whole word.
    expect(cut).toBe(`${'Your parcel is on its way. '.repeat(11)}Your...`);
  });

  it('cuts a long word in the middle rather than dropping it whole', () => {
    expect(truncateToSegments('a'.repeat(200), 1)).toBe(`${'a'.repeat(157)}...`);
  });

  it('drops a dangling comma or space before the ellipsis', () => {
    const cut = truncateToSegments(`${'中'.repeat(68)}，${'中'.repeat(10)}`, 1);
    expect(cut).toBe(`${'中'.repeat(68)}…`);
  });

  it('cuts between emoji, never inside a surrogate pair or a joined family', () => {
    const family = '👨‍👩‍👧';
    const cut = truncateToSegments(`${'中'.repeat(60)}${family.repeat(5)}`, 1);
    expect(LONE_SURROGATE.test(cut)).toBe(false);
    expect(cut.replaceAll(family, '')).toBe(`${'中'.repeat(60)}…`);
    expect(smsSegments(cut).segments).toBe(1);
  });

  it('spares a closing opt-out instruction and cuts before it', () => {
    const text = `【茶韵】${'双十一老客专享，'.repeat(20)} 回TD退订`;
    const cut = truncateToSegments(text, 1, { keepTail: '回TD退订' });
    expect(cut.endsWith('… 回TD退订')).toBe(true);
    expect(cut.startsWith('【茶韵】双十一')).toBe(true);
    expect(smsSegments(cut).segments).toBe(1);
  });

  it('cuts plainly when the tail is not at the end, or does not fit by itself', () => {
    expect(truncateToSegments(`${'中'.repeat(100)}`, 1, { keepTail: '回TD退订' })).toBe(`${'中'.repeat(69)}…`);
    expect(smsSegments(truncateToSegments(`${'中'.repeat(100)}${'尾'.repeat(80)}`, 1, { keepTail: '尾'.repeat(80) })).segments).toBe(1);
  });

  it('returns nothing for a cap below one segment', () => {
    expect(truncateToSegments('hello', 0)).toBe('');
  });

  it('always fits the cap and keeps a prefix of the text', () => {
    const unit = fc.constantFrom('a', 'Z', ' ', '€', '{', '中', '，', '😀', 'é', '’');
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 500 }), fc.integer({ min: 1, max: 4 }), (text, cap) => {
        const cut = truncateToSegments(text, cap);
        expect(smsSegments(cut).segments).toBeLessThanOrEqual(cap);
        expect(LONE_SURROGATE.test(cut)).toBe(false);
        if (cut !== text) expect(text.startsWith(cut.replace(/(\.\.\.|…)$/, ''))).toBe(true);
      }),
    );
  });
});

describe('preferGsm7', () => {
  it('swaps typographic lookalikes when that is all that keeps a text out of GSM-7', () => {
    const text = 'Leaf & Cup: your Men’s Tee — “soft” edition… ships today';
    expect(preferGsm7(text)).toBe('Leaf & Cup: your Men\'s Tee - "soft" edition... ships today');
    expect(smsSegments(preferGsm7(text)).encoding).toBe('GSM-7');
  });

  it('leaves Chinese (and anything else that stays UCS-2) as written', () => {
    expect(preferGsm7('【茶韵】“好茶”…')).toBe('【茶韵】“好茶”…');
    expect(preferGsm7('80°C — steep')).toBe('80°C — steep');
  });
});
