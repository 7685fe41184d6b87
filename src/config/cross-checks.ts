/**
 * Checks that need more than one key at a time: references between sections
 * and uniqueness. They read the raw YAML defensively (values of the wrong
 * type are skipped, the schema reports those), so they run even when the
 * schema found problems and the user sees every problem in one go.
 */
import { CALL_CUSTOMER_ITEM } from '../domain/incident.ts';
import { DECLARE_AUDIENCES } from '../domain/permissions.ts';
import type { Policy } from '../domain/policy.ts';
import type { KeyPath } from './issues.ts';
import { severityName } from './policy-schema.ts';
import { didYouMean } from './suggest.ts';
import { NEW_SEVERITY_REQUIRED, deriveId, effectiveSeverityKeys, matchKey } from './to-policy.ts';
import { percent } from './values.ts';

/** A cross-check finding, placed later by the loader. */
export interface RawIssue {
  path: KeyPath;
  message: string;
  /** Point at the key rather than its value (duplicates). */
  target?: 'key';
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const known = (names: readonly string[]): string => `known: ${[...new Set(names)].join(', ') || 'none'}`;

function severityChecks(sevs: Obj, base: Policy, keys: readonly string[], out: RawIssue[]): void {
  const seen = new Map<string, string>();
  const baseKeys = base.severities.map((s) => s.key);
  for (const [name, entry] of Object.entries(sevs)) {
    const first = seen.get(name.toLowerCase());
    if (first !== undefined) out.push({ path: ['severities', name], target: 'key', message: `is the same severity as "${first}" (names ignore case)` });
    else seen.set(name.toLowerCase(), name);
    // A malformed name is already reported by the schema; "add label" would only add noise.
    if (!isObj(entry) || !severityName.safeParse(name).success) continue;
    if (matchKey(baseKeys, name) === undefined && entry['enabled'] !== false) {
      for (const req of NEW_SEVERITY_REQUIRED) {
        if (entry[req] === undefined) out.push({ path: ['severities', name, req], message: `is required for the new severity "${name}" (only ${baseKeys.join(', ')} have built-in defaults)` });
      }
    }
    const ids = new Map<string, number>();
    list(entry['checklist']).forEach((item, i) => {
      if (!isObj(item)) return;
      const title = str(item['title']);
      const id = str(item['id']) ?? (title === undefined ? undefined : deriveId(undefined, title));
      const at: KeyPath = ['severities', name, 'checklist', i, item['id'] === undefined ? 'title' : 'id'];
      if (id === undefined) return;
      if (id === '') out.push({ path: at, message: 'gives an empty id; add an `id` to this item' });
      else if (id === CALL_CUSTOMER_ITEM) out.push({ path: at, message: `"${CALL_CUSTOMER_ITEM}" is reserved: Kranz adds the customer call itself (tune it with customer_contact_deadline)` });
      else if (ids.has(id)) out.push({ path: at, message: `duplicate checklist id "${id}" (also item ${ids.get(id)}); give one an \`id\`` });
      else ids.set(id, i);
    });
  }
  if (keys.length === 0) out.push({ path: ['severities'], message: 'every severity is disabled; keep at least one' });
}

function customerChecks(customers: unknown[], out: RawIssue[]): { ids: string[]; names: string[] } {
  const ids: string[] = [];
  const names: string[] = [];
  customers.forEach((c, i) => {
    if (!isObj(c)) return;
    const name = str(c['name']);
    const id = str(c['id']) ?? (name === undefined ? undefined : deriveId(undefined, name));
    if (name !== undefined) names.push(name);
    if (id === undefined) return;
    const at: KeyPath = ['customers', i, c['id'] === undefined ? 'name' : 'id'];
    const dup = ids.findIndex((x) => x.toLowerCase() === id.toLowerCase());
    if (id === '') out.push({ path: at, message: 'gives an empty id; add an `id` to this customer' });
    else if (dup >= 0) out.push({ path: at, message: `duplicate customer id "${id}" (also customers[${dup}])` });
    ids.push(id);
    const sla = isObj(c['sla']) ? percent.safeParse(c['sla']['target']) : undefined;
    if (!sla?.success) return;
    list(c['service_credits']).forEach((tier, j) => {
      const below = isObj(tier) ? percent.safeParse(tier['below']) : undefined;
      if (below?.success && below.data > sla.data) {
        out.push({ path: ['customers', i, 'service_credits', j, 'below'], message: `${below.data}% is above the SLA target ${sla.data}%: the credit would be owed while the SLA is met` });
      }
    });
  });
  return { ids, names };
}

function pagerDutyChecks(pd: Obj, keys: readonly string[], customers: { ids: string[]; names: string[] }, out: RawIssue[]): void {
  const severityRef = (value: unknown, path: KeyPath): void => {
    const name = str(value);
    if (name !== undefined && keys.length > 0 && matchKey(keys, name) === undefined) {
      out.push({ path, message: `unknown severity "${name}"${didYouMean(name, keys)} (${known(keys)})` });
    }
  };
  const serviceIds = new Map<string, number>();
  list(pd['services']).forEach((s, i) => {
    if (!isObj(s)) return;
    const base: KeyPath = ['pagerduty', 'services', i];
    const id = str(s['id']);
    if (id !== undefined && serviceIds.has(id)) out.push({ path: [...base, 'id'], message: `service ${id} is listed twice (also services[${serviceIds.get(id)}])` });
    else if (id !== undefined) serviceIds.set(id, i);
    const byPriority = s['severity_by_priority'];
    if (isObj(byPriority)) for (const [p, v] of Object.entries(byPriority)) severityRef(v, [...base, 'severity_by_priority', p]);
    const byUrgency = s['severity_by_urgency'];
    if (isObj(byUrgency)) for (const u of ['high', 'low']) severityRef(byUrgency[u], [...base, 'severity_by_urgency', u]);
    list(s['customers']).forEach((ref, j) => {
      const r = str(ref)?.trim().toLowerCase();
      if (r === undefined || r === '') return;
      if (customers.ids.some((x) => x.toLowerCase() === r) || customers.names.some((x) => x.toLowerCase() === r)) return;
      out.push({ path: [...base, 'customers', j], message: `unknown customer "${String(ref)}"${didYouMean(String(ref), [...customers.ids, ...customers.names])} (${known(customers.ids)})` });
    });
  });
}

function statusPageChecks(sp: Obj, base: Policy, out: RawIssue[]): void {
  const components = isObj(sp['components']) ? Object.keys(sp['components']) : [];
  // Components without a page would be chosen in the form and then go nowhere.
  if (components.length > 0 && sp['page_id'] === undefined && !base.statuspage?.pageId) {
    out.push({ path: ['statuspage', 'components'], target: 'key', message: 'needs statuspage.page_id: the components belong to a status page' });
  }
}

/** Every cross-section problem in the raw document, checked against `base` for what the file leaves out. */
export function crossCheck(raw: unknown, base: Policy): RawIssue[] {
  if (!isObj(raw)) return [];
  const out: RawIssue[] = [];
  const sevs = isObj(raw['severities']) ? raw['severities'] : {};
  const keys = effectiveSeverityKeys(
    base.severities.map((s) => s.key),
    Object.fromEntries(Object.entries(sevs).map(([k, v]) => [k, isObj(v) ? v : undefined])),
  );
  severityChecks(sevs, base, keys, out);
  const declared = str(raw['default_severity']);
  if (declared !== undefined && keys.length > 0 && matchKey(keys, declared) === undefined) {
    out.push({ path: ['default_severity'], message: `unknown severity "${declared}"${didYouMean(declared, keys)} (${known(keys)})` });
  } else if (raw['default_severity'] === undefined && keys.length > 0 && matchKey(keys, base.defaultSeverity) === undefined) {
    out.push({ path: ['default_severity'], message: `is required: the built-in default ${base.defaultSeverity} is disabled (${known(keys)})` });
  }
  const customers = Array.isArray(raw['customers'])
    ? customerChecks(raw['customers'], out)
    : { ids: base.customers.map((c) => c.id), names: base.customers.map((c) => c.name) };
  if (isObj(raw['pagerduty'])) pagerDutyChecks(raw['pagerduty'], keys, customers, out);
  if (isObj(raw['statuspage'])) statusPageChecks(raw['statuspage'], base, out);
  if (isObj(raw['permissions'])) permissionChecks(raw['permissions'], out);
  return out;
}

/** Before an incident exists there is no commander, role or channel to name: `declare` takes only everyone, admins and ids. */
const INCIDENT_AUDIENCES: readonly string[] = ['channel_members', 'role_holders', 'commander'];

function permissionChecks(p: Obj, out: RawIssue[]): void {
  const allow = p['allow'];
  if (!isObj(allow)) return;
  list(allow['declare']).forEach((e, i) => {
    const entry = str(e);
    if (entry !== undefined && INCIDENT_AUDIENCES.includes(entry)) {
      out.push({ path: ['permissions', 'allow', 'declare', i], message: `"${entry}" means nothing before the incident exists; declare takes ${DECLARE_AUDIENCES.join(', ')}, user ids (U…) and user group ids (S…)` });
    }
  });
}
