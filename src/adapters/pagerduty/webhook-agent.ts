/**
 * The agent (who or what caused an event) as both the V3 and the legacy V2
 * webhook decoders read it.
 */
import { z } from 'zod';
import type { PdAgent } from './webhook-types.ts';

const Agent = z.looseObject({ id: z.string().min(1), type: z.string().nullish(), summary: z.string().nullish() });

/** The agent in `raw`, or `undefined` when `raw` is not a usable agent reference. */
export function toAgent(raw: unknown): PdAgent | undefined {
  const a = Agent.safeParse(raw);
  if (!a.success) return undefined;
  return { id: a.data.id, summary: a.data.summary ?? '', type: a.data.type ?? 'unknown_reference' };
}
