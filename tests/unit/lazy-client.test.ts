import { describe, expect, it, vi } from 'vitest';
import { clientOf, lazyClient } from '../../shared/aws/lazy-client.ts';

const client = (name: string) => ({ name, send: vi.fn() });

describe('a client made on first use', () => {
  it('is not made until it is asked for, then made once for every caller', async () => {
    const make = vi.fn(async () => client('sns'));
    const source = lazyClient(make);
    expect(make).not.toHaveBeenCalled();
    const [first, second] = await Promise.all([source(), source()]);
    expect(await source()).toBe(first);
    expect(second).toBe(first);
    expect(make).toHaveBeenCalledTimes(1);
  });

  it('is made again after a failed attempt instead of failing for the container’s life', async () => {
    const make = vi.fn().mockRejectedValueOnce(new Error('cannot load')).mockResolvedValue(client('sns'));
    const source = lazyClient(make);
    await expect(source()).rejects.toThrow('cannot load');
    expect(await source()).toMatchObject({ name: 'sns' });
    expect(make).toHaveBeenCalledTimes(2);
  });

  it('takes a ready client as it is', async () => {
    const ready = client('eventbridge');
    expect(await clientOf(ready)).toBe(ready);
    expect(await clientOf(lazyClient(async () => ready))).toBe(ready);
  });
});
