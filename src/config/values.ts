/**
 * The friendly value syntaxes of the policy YAML (durations, percentages,
 * clock times, time zones, review deadlines) as zod fields whose errors quote
 * the offending value and show the accepted form.
 */
import { z } from 'zod';
import { parseDuration } from '../domain/duration.ts';
import { AUDIENCES, type RuleEntry } from '../domain/permissions.ts';
import { showValue } from './issues.ts';
import { didYouMean } from './suggest.ts';

type Ctx = z.core.$RefinementCtx;

function fail(ctx: Ctx, message: string): never {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
}

/** `30s`, `15m`, `2h`, `1h30m` (spaces allowed: `1h 30m`) → milliseconds. */
export const duration = z.unknown().transform((v, ctx) => {
  const ms = typeof v === 'string' ? parseDuration(v.replace(/\s+/g, '')) : undefined;
  return ms ?? fail(ctx, `${showValue(v)} is not a duration (use 30s, 15m, 2h)`);
});

/** `99.9`, `"99.9%"` → 99.9; must lie in (0, 100]. */
export const percent = z.unknown().transform((v, ctx) => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+(\.\d+)?\s*%?\s*$/.test(v) ? Number.parseFloat(v) : Number.NaN;
  if (!Number.isFinite(n)) return fail(ctx, `${showValue(v)} is not a percentage (use 99.9 or "99.9%")`);
  if (n <= 0 || n > 100) return fail(ctx, `${showValue(v)} must be above 0 and at most 100`);
  return n;
});

/** `22:00` (24-hour clock). */
export const clockTime = z.unknown().transform((v, ctx) => {
  const m = typeof v === 'string' ? /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(v.trim()) : null;
  if (!m) return fail(ctx, `${showValue(v)} is not a time of day (use 24-hour "HH:MM", e.g. "22:00")`);
  return `${(m[1] ?? '').padStart(2, '0')}:${m[2] ?? '00'}`;
});

let zoneNames: string[] | undefined;
function knownZones(): string[] {
  zoneNames ??= [...Intl.supportedValuesOf('timeZone'), 'UTC'];
  return zoneNames;
}

/** The canonical spelling of an IANA zone, or undefined when the runtime does not know it. */
export function canonicalTimeZone(name: string): string | undefined {
  if (name.trim().toUpperCase() === 'UTC') return 'UTC';
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name.trim() }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** IANA time zone such as `Europe/Berlin`, or `UTC`. */
export const timeZone = z.unknown().transform((v, ctx) => {
  const zone = typeof v === 'string' ? canonicalTimeZone(v) : undefined;
  if (zone !== undefined) return zone;
  const hint = typeof v === 'string' ? didYouMean(v, knownZones()) : '';
  return fail(ctx, `${showValue(v)} is not a time zone${hint || ' (use an IANA name such as "Europe/Berlin", or "UTC")'}`);
});

/** `3d`, `3 days`, `5 business days`, `1 business day`. */
export const reviewDue = z.unknown().transform((v, ctx) => {
  const m = typeof v === 'string' ? /^(\d+)\s*(d|days?|bd|business\s+days?)$/i.exec(v.trim()) : null;
  const days = Number(m?.[1]);
  if (!m || !(days >= 1)) return fail(ctx, `${showValue(v)} is not a review deadline (use "3d", "3 days" or "5 business days")`);
  const unit = (m[2] ?? '').toLowerCase();
  return { days, business: unit === 'bd' || unit.startsWith('business') };
});

const PERIOD_DAYS: Record<string, number> = { weekly: 7, monthly: 30, quarterly: 90, yearly: 365 };

/** SLA measurement window: `monthly` (30 days), `weekly`, `quarterly`, `yearly`, or `<n>d`. */
export const slaPeriod = z.unknown().transform((v, ctx) => {
  const s = typeof v === 'string' ? v.trim().toLowerCase() : '';
  const named = PERIOD_DAYS[s];
  if (named !== undefined) return named;
  const m = /^(\d+)\s*(d|days?)$/.exec(s);
  if (m && Number(m[1]) >= 1) return Number(m[1]);
  return fail(ctx, `${showValue(v)} is not an SLA period (use weekly, monthly, quarterly, yearly or a number of days like 30d)`);
});

/** A Slack channel id (ids survive renames; names do not). */
export const channelId = z
  .string({ error: 'must be a Slack channel id like C0123ABCD' })
  .regex(/^[CG][A-Z0-9]{2,}$/, 'must be a Slack channel id like C0123ABCD, not a name (channel details → bottom of the About tab)');

/** A Slack user or channel id. */
export const userOrChannelId = z
  .string({ error: 'must be a Slack user or channel id like U0123ABCD' })
  .regex(/^[UWCG][A-Z0-9]{2,}$/, 'must be a Slack user id (U…) or channel id (C…), not a name');

/** A non-empty string (YAML happily produces empty ones). */
export const text = z.string().trim().min(1, 'must not be empty');

/** Lowercase id used in buttons and references: `call-customer`, `acme`. */
export const slugId = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be lowercase letters, digits, - and _ (e.g. "acme")');

/** A PagerDuty object id such as `PABC123`. */
export const pagerDutyId = z.string().regex(/^[A-Z0-9]{4,}$/, 'must be a PagerDuty id like PABC123 (the last part of its URL)');

/** Placeholders `channel_name_template` may use; `{number}` keeps names unique. */
export const TEMPLATE_PLACEHOLDERS = ['number', 'title', 'severity', 'date'] as const;

/** `inc-{number}-{title}`: must contain `{number}`, may use only known placeholders. */
export const channelTemplate = z.string().superRefine((v, ctx) => {
  if (v.trim() === '') return void ctx.addIssue({ code: 'custom', message: 'must not be empty (e.g. "inc-{number}-{title}")' });
  for (const m of v.matchAll(/\{([^}]*)\}/g)) {
    const name = m[1] ?? '';
    if (!(TEMPLATE_PLACEHOLDERS as readonly string[]).includes(name)) {
      const hint = didYouMean(name, TEMPLATE_PLACEHOLDERS);
      ctx.addIssue({ code: 'custom', message: `unknown placeholder {${name}}${hint} (known: ${TEMPLATE_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')})` });
    }
  }
  if (!v.includes('{number}')) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)} must contain {number} so every incident channel name is unique` });
});

/** A Slack user id (`U…`, `W…`) or user group id (`S…`): who `permissions.admins` names. */
export const userOrGroupId = z
  .string({ error: 'must be a Slack user id (U…) or user group id (S…)' })
  .regex(/^[UWS][A-Z0-9]{2,}$/, 'must be a Slack user id (U…, profile → ⋮ → Copy member ID) or user group id (S…), not a name or @handle');

/** One entry of a permission rule: an audience keyword, a user id or a user group id. */
export const permissionEntry = z.unknown().transform((v, ctx) => {
  if (typeof v === 'string' && ((AUDIENCES as readonly string[]).includes(v) || /^[UWS][A-Z0-9]{2,}$/.test(v))) return v as RuleEntry;
  const hint = typeof v === 'string' ? didYouMean(v, AUDIENCES) : '';
  return fail(ctx, `${showValue(v)} is not someone a rule can name${hint || ` (use ${AUDIENCES.join(', ')}, a user id U… or a user group id S…)`}`);
});
