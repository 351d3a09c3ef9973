import { describe, expect, it } from 'vitest';
import { isOrderChange } from '../../local/stream-poller.ts';
import { keys } from '../../shared/store/keys.ts';

const record = (eventName: 'INSERT' | 'MODIFY' | 'REMOVE', key: { pk: string; sk: string }) => ({
  eventName,
  dynamodb: { Keys: { pk: { S: key.pk }, sk: { S: key.sk } } },
});

describe("the local stream reader's filter (the event source mapping's, in AWS)", () => {
  it('passes inserted and modified order items', () => {
    expect(isOrderChange(record('INSERT', keys.order('shop', 'o-1')))).toBe(true);
    expect(isOrderChange(record('MODIFY', keys.order('shop', 'o-1')))).toBe(true);
  });

  it('leaves out removed orders and every other item the stream carries', () => {
    expect(isOrderChange(record('REMOVE', keys.order('shop', 'o-1')))).toBe(false);
    for (const key of [keys.task('shop', 1, 'msg:shipped:o-1'), keys.message('shop', 'c-1', 'shipped:o-1'), keys.profile('shop', 'c-1'), keys.orderMark('shop', 'o-1', 'paid')]) {
      expect(isOrderChange(record('MODIFY', key))).toBe(false);
    }
  });
});
