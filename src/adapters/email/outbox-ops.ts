/**
 * What the email outbox target accepts: the domain's customer emails, decoded
 * at the deliverer's boundary (see app/outbox-rows.ts for the contract).
 */
import { z } from 'zod';
import type { CustomerEmail } from '../../domain/effects.ts';
import type { SameShape } from '../../lib/same-shape.ts';

/** Every payload an `email` outbox row may carry. */
export type EmailOp = CustomerEmail;

export const emailOpSchema = z.object({
  kind: z.literal('email.send'),
  to: z.string().min(1),
  customerId: z.string(),
  subject: z.string(),
  text: z.string(),
  messageKey: z.string().min(1),
  previousKeys: z.array(z.string()),
  updateEventId: z.string().optional(),
  report: z.string().optional(),
  format: z.literal('markdown').optional(),
});

// Compile-time guard: the schema decodes exactly the op union (z.object: the domain type is an interface, without an index signature).
const opsMatch: SameShape<z.output<typeof emailOpSchema>, EmailOp> = true;
void opsMatch;
