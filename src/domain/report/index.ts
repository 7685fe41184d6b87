/**
 * The incident report drafter: `draftReport(events, policy)` turns an
 * incident's event log into a Markdown report (summary, timeline, root cause,
 * corrective measures, metrics). Pure and deterministic.
 */
export { draftReport, keyTimeRows, keyTimesSection, reportFigures, REPORT_SECTIONS, type DraftReportOptions, type KeyTimeRow } from './draft.ts';
export type { ReportFigures } from './figures.ts';
export {
  CUSTOMER_REPORT_SECTIONS, draftCustomerReport, renderCustomerMarkdown, reportCustomers,
  type CustomerReport, type CustomerTimelineItem,
} from './customer.ts';
export { PLACEHOLDERS } from './sections.ts';
export { slaImpact, formatNumber, formatNumberDown, type SlaImpact } from './sla.ts';
export { updateGaps, customerContact, type UpdateGap, type ContactCheck } from './cadence.ts';
export { createReportClock, type ReportClock, type MinuteStamp } from './clock.ts';
export { escapeInline, escapeBlock } from './markdown.ts';
export { citation } from './timeline.ts';
