/**
 * The customer-publication keys: status page, per-customer emails, per-severity
 * emailing. Defaults are the careful ones (ask before publishing, private
 * incidents never published); mistakes name the key and the line.
 */
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/config/load-policy.ts';
import { DEFAULT_POLICY } from '../../src/domain/default-policy.ts';
import { customerEmails, emailsUpdates, findSeverity, statusPagePolicy } from '../../src/domain/policy.ts';

const CUSTOMER = `customers:
  - id: acme
    name: Acme Corp
    main_contact: { name: Jane Doe, email: jane@acme.example }
    notify_emails: [ops@acme.example, JANE@acme.example]
    sla: { target: 99.9 }
`;

describe('statuspage policy', () => {
  it('defaults to asking, never publishing private incidents, no page', () => {
    expect(statusPagePolicy(DEFAULT_POLICY)).toEqual({ publish: 'ask', publishPrivate: false, components: [] });
    // Email follows customer impact unless a severity says otherwise.
    expect(emailsUpdates(findSeverity(DEFAULT_POLICY, 'SEV1')!)).toBe(true);
    expect(emailsUpdates(findSeverity(DEFAULT_POLICY, 'SEV4')!)).toBe(false);
  });

  it('reads the page, the component map, the approval mode and emails', () => {
    const r = parsePolicy(`${CUSTOMER}statuspage:
  page_id: kctbh9vrtdwd
  publish: auto
  publish_private_incidents: true
  components:
    checkout: { component_id: 8kbf7d35c070, pagerduty_services: [PSVCKRZ] }
    search: { component_id: 1xyz2abc3def }
severities:
  SEV3: { email_updates: false }
  SEV4: { email_updates: true }
`);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.policy.statuspage).toEqual({
      pageId: 'kctbh9vrtdwd', publish: 'auto', publishPrivate: true,
      components: [
        { service: 'checkout', componentId: '8kbf7d35c070', pagerDutyServices: ['PSVCKRZ'] },
        { service: 'search', componentId: '1xyz2abc3def', pagerDutyServices: [] },
      ],
    });
    expect(emailsUpdates(findSeverity(r.policy, 'SEV3')!)).toBe(false);
    expect(emailsUpdates(findSeverity(r.policy, 'SEV4')!)).toBe(true);
    // Main contact first; the same address twice (any case) is mailed once.
    expect(customerEmails(r.policy.customers[0]!)).toEqual(['jane@acme.example', 'ops@acme.example']);
  });

  it('names the key and line of each mistake', () => {
    const r = parsePolicy(`statuspage:
  publish: always
  components:
    checkout: { component_id: "Not An Id" }
customers:
  - name: Acme
    main_contact: { name: Jane }
    notify_emails: [nope]
    sla: { target: 99 }
`);
    expect(r.ok).toBe(false);
    const errors = r.ok ? [] : r.errors.map((e) => `${e.line} ${e.path}: ${e.message}`);
    expect(errors).toEqual(expect.arrayContaining([
      '2 statuspage.publish: "always" is not one of ask, auto',
      expect.stringMatching(/^4 statuspage\.components\.checkout\.component_id: must be a Statuspage id/),
      '3 statuspage.components: needs statuspage.page_id: the components belong to a status page',
      '8 customers[0].notify_emails[0]: must be an email address',
    ]));
  });
});
