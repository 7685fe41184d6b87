import { describe, expect, it } from 'vitest';
import { OrderedLanes, queueNow, type ArrivalOrder } from '../../src/lib/ordered-lanes.ts';

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

  it('starts overlapping work together, and queues it in arrival order however long each took to get there', async () => {
    const lanes = new OrderedLanes();
    const queue: string[] = [];
    let checking = 0;
    let mostChecking = 0;
    // Each note checks (a pre-step of random length: its permission read), queues itself, then takes long to finish.
    const note = (name: string) => async (inArrivalOrder: ArrivalOrder) => {
      mostChecking = Math.max(mostChecking, ++checking);
      await sleep(Math.random() * 20);
      checking--;
      await inArrivalOrder(async () => void queue.push(name));
      await sleep(40);
    };
    const started = Date.now();
    await Promise.all(Array.from({ length: 10 }, (_, i) => lanes.run('C1', true, note(`n${i}`))));
    expect(queue).toEqual(Array.from({ length: 10 }, (_, i) => `n${i}`));
    // The checks ran side by side, and ten 40 ms finishes overlapped: far less than ten in a row.
    expect(mostChecking).toBe(10);
    expect(Date.now() - started).toBeLessThan(300);
  });

  it('work that does not overlap waits for everything before it to finish, and everything after it waits for it', async () => {
    const lanes = new OrderedLanes();
    const log: string[] = [];
    const note = (name: string, ms: number) => async (inArrivalOrder: ArrivalOrder) => {
      log.push(`${name} start`);
      await inArrivalOrder(async () => void log.push(`${name} queued`));
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
    expect(log.indexOf('n3 start')).toBeGreaterThan(log.indexOf('close end'));
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

  it('a note after a note that fails before queuing still queues, after the failure', async () => {
    const lanes = new OrderedLanes();
    const log: string[] = [];
    const failing = lanes.run('C1', true, async () => {
      await sleep(10);
      log.push('n1 failed');
      throw new Error('refused');
    });
    const next = lanes.run('C1', true, (inArrivalOrder) => inArrivalOrder(async () => void log.push('n2 queued')));
    await expect(failing).rejects.toThrow('refused');
    await next;
    expect(log).toEqual(['n1 failed', 'n2 queued']);
  });

  it('overlapping work after work that does not overlap starts only once that work finished', async () => {
    const lanes = new OrderedLanes();
    const log: string[] = [];
    await Promise.all([
      lanes.run('C1', false, async () => {
        await sleep(10);
        log.push('resolve end');
      }),
      lanes.run('C1', true, async () => void log.push('n1 start')),
      lanes.run('C1', true, async () => void log.push('n2 start')),
    ]);
    expect(log).toEqual(['resolve end', 'n1 start', 'n2 start']);
  });

  it('work that does not overlap, and work outside a lane, queue at once', async () => {
    const lanes = new OrderedLanes();
    expect(await lanes.run('C1', false, (inArrivalOrder) => inArrivalOrder(async () => 'queued'))).toBe('queued');
    expect(await queueNow(async () => 'queued')).toBe('queued');
  });
});
