import { describe, expect, it } from 'vitest';
import { Handoff } from '../../src/lib/handoff.ts';

describe('Handoff', () => {
  it('gives each value once', () => {
    const h = new Handoff<string, number[]>(10);
    h.put('pd:E1', [1]);
    expect(h.take('pd:E1')).toEqual([1]);
    expect(h.take('pd:E1')).toBeUndefined();
    expect(h.take('pd:never')).toBeUndefined();
  });

  it('drops the oldest values past its size, so values never taken cost bounded memory', () => {
    const h = new Handoff<string, number>(3);
    for (let i = 1; i <= 5; i++) h.put(`k${i}`, i);
    expect(h.size).toBe(3);
    expect([h.take('k1'), h.take('k2'), h.take('k3'), h.take('k4'), h.take('k5')]).toEqual([undefined, undefined, 3, 4, 5]);
  });

  it('a value put again counts as new', () => {
    const h = new Handoff<string, number>(2);
    h.put('a', 1);
    h.put('b', 2);
    h.put('a', 10);
    h.put('c', 3);
    expect([h.take('a'), h.take('b'), h.take('c')]).toEqual([10, undefined, 3]);
  });
});
