/**
 * What the PagerDuty outbox target accepts: the domain's PagerDuty effects,
 * decoded at the deliverer's boundary (see app/outbox-rows.ts for the
 * contract).
 */
import { z } from 'zod';
import type { Effect } from '../../domain/effects.ts';
import { asPdIncidentId, asPdServiceId, asSlackUserId } from '../../domain/ids.ts';
import type { SameShape } from '../../lib/same-shape.ts';

/** Every payload a `pagerduty` outbox row may carry. */
export type PagerDutyOp = Extract<Effect, { kind: `pagerduty.${string}` }>;

// Ids get their brand here, where stored rows enter the adapter.
const pdIncidentId = z.string().transform(asPdIncidentId);
const pdServiceId = z.string().transform(asPdServiceId);

export const pagerDutyOpSchema = z.discriminatedUnion('kind', [
  z.looseObject({ kind: z.literal('pagerduty.invite_oncall'), serviceId: pdServiceId }),
  z.looseObject({ kind: z.literal('pagerduty.note'), pdIncidentId, content: z.string(), as: z.enum(['note', 'status_update']) }),
  z.looseObject({ kind: z.literal('pagerduty.resolve'), pdIncidentId }),
  z.looseObject({
    kind: z.literal('pagerduty.page'),
    target: z.discriminatedUnion('kind', [
      z.looseObject({ kind: z.literal('service'), serviceId: pdServiceId }),
      z.looseObject({ kind: z.literal('user'), userId: z.string().transform(asSlackUserId) }),
    ]),
    message: z.string(),
  }),
]);

// Compile-time guard: the schema decodes exactly the op union.
const opsMatch: SameShape<z.output<typeof pagerDutyOpSchema>, PagerDutyOp> = true;
void opsMatch;
