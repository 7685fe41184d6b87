import { describe, expect, it } from 'vitest';
import { OrderedLanes, orderFixed } from '../../src/lib/ordered-lanes.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('OrderedLanes', () => {
  it('runs the work of one lane one after another, and other lanes alongside', async () => {
    const lanes = new OrderedLanes();
    const log: string[] = [];
    const job = (name: string, ms: number) => async () => {
      log.push(`${name} start`);
      await sleep(ms);
      log.push(`${name} end`);
    };
    await Promise.all([lanes.run('C1', false, job('a', 30)), lanes.run('C1', false, job('b', 5)), lanes.run('C2', false, job('x', 5))]);
    expect(log.indexOf('b start')).toBeGreaterThan(log.indexOf('a end'));
    expect(log.indexOf('x start')).toBeLessThan(log.indexOf('a end'));
    await sleep(0);
    expect(lanes.size).toBe(0);
  });

  it('lets overlapping work start once the overlapping work before it fixed its place, and keeps places in arrival order', async () => {
    const lanes = new OrderedLanes();
    const queue: string[] = [];
    const finished: string[] = [];
    // Each note queues itself after a pre-step of random length, then takes long to finish.
    const note = (name: string) => async () => {
      await sleep(Math.random() * 5);
      queue.push(name);
      orderFixed();
      await sleep(40);
      finished.push(name);
    };
    const started = Date.now();
    await Promise.all(Array.from({ length: 10 }, (_, i) => lanes.run('C1', true, note(`n${i}`))));
    expect(queue).toEqual(Array.from({ length: 10 }, (_, i) => `n${i}`));
    // Ten 40 ms finishes overlapped: far less than ten in a row.
    expect(Date.now() - started).toBeLessThan(300);
  });

  it('work that does not overlap waits for everything before it to finish, and everything after it waits for it', async () => {
    const lanes = new OrderedLanes();
    const log: string[] = [];
    const note = (name: string, ms: number) => async () => {
      log.push(`${name} queued`);
      orderFixed();
      await sleep(ms);
      log.push(`${name} applied`);
    };
    const close = async () => {
      log.push('close start');
      await sleep(5);
      log.push('close end');
    };
    await Promise.all([
      lanes.run('C1', true, note('n1', 30)),
      lanes.run('C1', true, note('n2', 5)),
      lanes.run('C1', false, close),
      lanes.run('C1', true, note('n3', 5)),
    ]);
    expect(log.indexOf('close start')).toBeGreaterThan(log.indexOf('n1 applied'));
    expect(log.indexOf('close start')).toBeGreaterThan(log.indexOf('n2 applied'));
    expect(log.indexOf('n3 queued')).toBeGreaterThan(log.indexOf('close end'));
  });

  it('a failure finishes its turn: the work behind it goes on, and the caller gets the error', async () => {
    const lanes = new OrderedLanes();
    const failing = lanes.run('C1', true, async () => {
      throw new Error('boom');
    });
    const after = lanes.run('C1', false, async () => 'after');
    await expect(failing).rejects.toThrow('boom');
    await expect(after).resolves.toBe('after');
  });

  it('outside a lane, orderFixed does nothing', () => {
    expect(() => orderFixed()).not.toThrow();
  });
});
