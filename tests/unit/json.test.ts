import { describe, expect, it } from 'vitest';
import { parseJsonKeepingBigIntegers } from '../../shared/json.ts';

describe('parseJsonKeepingBigIntegers', () => {
  it('keeps 64-bit ids exactly, as strings', () => {
    const parsed = parseJsonKeepingBigIntegers('{"id":5678901234567890123,"customer":{"id":7012345678901234567},"line_items":[{"id":13012345678901235}]}');
    expect(parsed).toEqual({ id: '5678901234567890123', customer: { id: '7012345678901234567' }, line_items: [{ id: '13012345678901235' }] });
    // What a plain JSON.parse would have made of it:
    expect(String(JSON.parse('{"id":13012345678901235}').id)).not.toBe('13012345678901235');
  });

  it('leaves safe numbers, decimals, strings and digits inside strings alone', () => {
    expect(parseJsonKeepingBigIntegers('{"q":2,"price":19.99,"neg":-3,"name":"order 5678901234567890123","big":"9007199254740993"}')).toEqual({
      q: 2,
      price: 19.99,
      neg: -3,
      name: 'order 5678901234567890123',
      big: '9007199254740993',
    });
  });

  it('throws on malformed JSON', () => {
    expect(() => parseJsonKeepingBigIntegers('{"id": 1,')).toThrow();
  });
});
