/**
 * What the Statuspage outbox target accepts: the domain's status page
 * publications, decoded at the deliverer's boundary (see app/outbox-rows.ts
 * for the contract).
 */
import { z } from 'zod';
import type { StatusPagePublication } from '../../domain/effects.ts';
import type { SameShape } from '../../lib/same-shape.ts';

/** Every payload a `statuspage` outbox row may carry. */
export type StatusPageOp = StatusPagePublication;

const componentState = z.enum(['operational', 'degraded_performance', 'partial_outage', 'major_outage']);

export const statusPageOpSchema = z.object({
  kind: z.literal('statuspage.publish'),
  action: z.enum(['create', 'update', 'resolve']),
  pageId: z.string().min(1),
  name: z.string().optional(),
  status: z.enum(['investigating', 'identified', 'monitoring', 'resolved']),
  body: z.string(),
  components: z.record(z.string(), componentState),
  updateEventId: z.string().optional(),
  pageIncidentId: z.string().optional(),
});

// Compile-time guard: the schema decodes exactly the op union (z.object: the domain type is an interface, without an index signature).
const opsMatch: SameShape<z.output<typeof statusPageOpSchema>, StatusPageOp> = true;
void opsMatch;
