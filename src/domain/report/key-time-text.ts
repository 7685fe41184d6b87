/** Words for the key times and their sources, shared by the summary, the metrics table and the timeline. */
import type { KeyTime } from '../events.ts';
import type { RenderContext } from './context.ts';
import type { KeyTimeFact, KeyTimeVia } from '../key-times.ts';

export const KEY_TIME_LABELS: Record<KeyTime, string> = {
  impact_started: 'Impact started',
  detected: 'Detected',
  declared: 'Declared',
  acknowledged: 'Acknowledged',
  commander_named: 'Commander named',
  customer_contacted: 'Customer first contacted',
  mitigated: 'Mitigated',
  restored: 'Service restored',
  resolved: 'Resolved',
  closed: 'Closed',
};

const VIA: Record<KeyTimeVia, string> = {
  declaration: 'the declaration',
  recorded_at_declaration: 'recorded at declaration',
  pagerduty_trigger: 'PagerDuty trigger (source time)',
  assumed_declaration: 'not recorded: the declaration stands in',
  declared_by_person: 'declared by a person',
  pagerduty_ack: 'PagerDuty acknowledgement',
  slack_ack: '/incident acknowledge',
  commander_at_declaration: 'named at declaration',
  role_assigned: 'role assigned',
  customer_contacted: '/incident customer-contacted',
  call_item_ticked: 'call ticked on the checklist',
  status_monitoring: 'status → monitoring',
  update_monitoring: 'status update → monitoring',
  mitigated_command: '/incident mitigated',
  restoration: 'no mitigation recorded: the restoration',
  pagerduty_resolve: 'PagerDuty resolve (source time)',
  resolution: 'no earlier restoration recorded: the resolution',
  resolve_command: '/incident resolve',
  closed: '/incident close',
  correction: 'corrected',
};

/** Where a key time came from, e.g. `PagerDuty acknowledgement (Mara Voss)` or `corrected by Mara Voss (was 15:27, status → monitoring)`. */
export function viaText(ctx: RenderContext, f: KeyTimeFact): string {
  const by = (): string => ctx.actor(f.event.actor);
  switch (f.via) {
    case 'correction': {
      const was = f.impliedMs !== undefined ? ` (was ${ctx.time(f.impliedMs)}${f.impliedVia ? `, ${VIA[f.impliedVia]}` : ''})` : '';
      return `corrected by ${by()}${was}`;
    }
    case 'pagerduty_ack':
    case 'slack_ack':
    case 'mitigated_command':
    case 'role_assigned':
    case 'status_monitoring':
    case 'update_monitoring':
    case 'customer_contacted':
    case 'call_item_ticked':
      return `${VIA[f.via]} by ${by()}`;
    default:
      return VIA[f.via];
  }
}
