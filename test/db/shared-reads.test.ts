import { describe, expect, it } from 'vitest';
import { sharedReads } from '../../src/adapters/db/shared-reads.ts';

/** A read that counts its calls and answers after `ms`, so a test can ask again while it is in flight. */
function countingRead(ms = 20) {
  const calls: string[] = [];
  const read = async (key: { channelId: string }): Promise<string> => {
    const n = calls.push(key.channelId);
    await new Promise((r) => setTimeout(r, ms));
    if (key.channelId === 'CBROKEN') throw new Error('connection reset');
    return `incident of ${key.channelId} (read ${n})`;
  };
  return { calls, read };
}

describe('sharedReads', () => {
  it('reads once per key for requests asked in the same turn, each getting its own key’s answer', async () => {
    const { calls, read } = countingRead();
    const find = sharedReads(read, (k) => k.channelId);
    const answers = await Promise.all([find({ channelId: 'C1' }), find({ channelId: 'C1' }), find({ channelId: 'C2' }), find({ channelId: 'C1' })]);
    expect(calls.sort()).toEqual(['C1', 'C2']);
    expect(answers[0]).toBe(answers[1]);
    expect(answers[0]).toBe(answers[3]);
    expect(answers[2]).toMatch(/^incident of C2/);
  });

  it('does not join a read already in flight: a request after it gets a read issued after it', async () => {
    const { calls, read } = countingRead(50);
    const find = sharedReads(read, (k) => k.channelId);
    const first = find({ channelId: 'C1' });
    await new Promise((r) => setTimeout(r, 10)); // the first read has started
    expect(calls).toEqual(['C1']);
    const second = find({ channelId: 'C1' });
    expect(await first).toBe('incident of C1 (read 1)');
    expect(await second).toBe('incident of C1 (read 2)');
  });

  it('fails only the requests of the key whose read failed', async () => {
    const { read } = countingRead();
    const find = sharedReads(read, (k) => k.channelId);
    const [broken, fine] = await Promise.allSettled([find({ channelId: 'CBROKEN' }), find({ channelId: 'C1' })]);
    expect(broken).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ message: 'connection reset' }) });
    expect(fine).toMatchObject({ status: 'fulfilled', value: expect.stringMatching(/^incident of C1/) });
  });
});
