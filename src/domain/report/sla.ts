/**
 * What an incident costs against a customer's SLA. The incident is looked at
 * alone: its impact minutes against the period's error budget, and the
 * availability it would leave if nothing else went wrong in the period.
 */
import type { CustomerPolicy } from '../policy.ts';

const MINUTES_PER_DAY = 1440;

/** One customer's SLA arithmetic for one incident. */
export interface SlaImpact {
  impactMinutes: number;
  periodMinutes: number;
  /** (1 − target%) × period: the minutes of downtime the SLA allows. */
  budgetMinutes: number;
  /** impact / budget × 100; above 100 means the SLA is breached by this incident alone. */
  consumedPercent: number;
  /** The target is missed: more impact than the budget allows (exactly the budget still meets it). Credits may or may not apply. */
  breached: boolean;
  /** 100 × (1 − impact / period). */
  availabilityPercent: number;
  /** Highest credit among tiers whose threshold is above the availability; 0 when none applies. */
  creditPercent: number;
}

// Rounds away float noise (99.9 stored as 99.90000000000001) before comparing with tier thresholds.
const settle = (x: number): number => Math.round(x * 1e9) / 1e9;

/** Computes budget, consumption, availability and the implied service credit. */
export function slaImpact(impactMinutes: number, sla: CustomerPolicy['sla'], credits: CustomerPolicy['serviceCredits']): SlaImpact {
  const impact = Math.max(0, impactMinutes);
  const periodMinutes = sla.periodDays * MINUTES_PER_DAY;
  const budgetMinutes = settle(((100 - sla.targetPercent) / 100) * periodMinutes);
  const consumedPercent = budgetMinutes > 0 ? (impact / budgetMinutes) * 100 : impact > 0 ? Infinity : 0;
  const availabilityPercent = periodMinutes > 0 ? settle(100 * (1 - impact / periodMinutes)) : 100;
  let creditPercent = 0;
  for (const tier of credits) {
    if (tier.belowPercent > availabilityPercent && tier.creditPercent > creditPercent) creditPercent = tier.creditPercent;
  }
  return { impactMinutes: impact, periodMinutes, budgetMinutes, consumedPercent, breached: consumedPercent > 100, availabilityPercent, creditPercent };
}

/**
 * A number with at most `digits` decimals and no trailing zeros, locale-free:
 * `43.2`, `99.884`, `10`.
 */
export function formatNumber(x: number, digits: number): string {
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '—';
  const fixed = x.toFixed(digits);
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

/**
 * Like `formatNumber` but rounds down, for availability: 99.89996 % must not
 * read as 99.9 % when the 99.9 % tier is what it just missed.
 */
export function formatNumberDown(x: number, digits: number): string {
  if (!Number.isFinite(x)) return formatNumber(x, digits);
  const scale = 10 ** digits;
  return formatNumber(Math.floor(x * scale + 1e-7) / scale, digits);
}
