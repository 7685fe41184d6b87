/**
 * The scripted SEV1 drafted against a golden file. Any change to the output
 * fails here; rewrite the golden with `UPDATE_GOLDEN=1 npx vitest run test/domain/report-golden`
 * and read the diff before committing it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { draftReport } from '../../src/domain/report/index.ts';
import { scriptedSev1 } from '../fixtures/report/scripted-incident.ts';

const GOLDEN = fileURLToPath(new URL('../fixtures/report/sev1.golden.md', import.meta.url));

describe('incident report: scripted SEV1 golden', () => {
  const { events, policy } = scriptedSev1();
  const report = draftReport(events, policy);

  it('matches the golden file byte for byte', () => {
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, report);
    // A missing golden is a failure, not a first run: it must be written and read deliberately.
    expect(existsSync(GOLDEN), `missing ${GOLDEN}; run with UPDATE_GOLDEN=1`).toBe(true);
    expect(report).toBe(readFileSync(GOLDEN, 'utf8'));
  });

  // These pin the story the golden must tell, so a careless UPDATE_GOLDEN cannot bless a wrong report.
  it('states the facts a support lead needs', () => {
    expect(report.startsWith('# INC-42: Checkout API returning 502 errors\n')).toBe(true);
    expect(report).toContain('**Severity:** SEV1 → SEV2 · **Status:** closed');
    expect(report).toContain('**Times:** Europe/Berlin (UTC+02:00)');
    // Impact ends at PagerDuty's resolve (15:30:00, its source time), not at /incident resolve (15:30:10).
    expect(report).toContain('- **Impact:** 14:40 → 15:30 (12:40 → 13:30 UTC), **50m** from impact start to service restored');
    expect(report).toContain('- **Customers affected:** Acme Corp');
    expect(report).toContain('  - Commander: Mara Voss\n');
    expect(report).toContain('  - Customer liaison: Jonas Berg\n');
    expect(report).not.toMatch(/@U0|<@/);
    expect(report).toContain('- **Customer first contacted:** 15:09, 7m after declaration: within the 10m deadline (15:12)');
    // The update at 15:06 promised the next by 15:26 (the reminder fired then); it came at 15:28.
    expect(report).toContain('- **Status updates:** 3 sent; longest gap 22m (15:06 → 15:28)');
    expect(report).toContain('- **Update promises:** 2 of 3 kept, ⚠️ 1 broken\n  - due 15:26 (promised at 15:06), posted 15:28, 2m late');
    // 50m against 0.1 % of 30 days (43.2 min): 115.7 % used, 99.884 % left, below 99.9 → 10 %.
    expect(report).toContain('115.7 % of the 43.2-minute error budget used; 30-day availability 99.884 % → **10 % service credit**');
    expect(report).toContain('- **PagerDuty:** [#4711](https://acme-ops.pagerduty.com/incidents/Q2K9ZL4RTS)');
    expect(report).toContain('| Acknowledged | 15:03 | 23m 10s | 1m 10s | PagerDuty acknowledgement by Mara Voss via PagerDuty |');
    expect(report).toContain('| Mitigated | 15:27 | 47m 30s | 25m 30s | status → monitoring by Mara Voss |');
    expect(report).toContain('| Service restored | 15:30 | 50m | 28m | PagerDuty resolve (source time) |');
    expect(report).toContain('| Resolved | 15:30 | 50m 10s | 28m 10s | /incident resolve |');
  });

  it('cites edits with both texts and withholds the deleted note', () => {
    expect(report).toContain('Note edited: was "Rolling back checkout-api from 2024.05.14-3 to 2024.05.14-2 (\\`deploy rollback checkout-api\\`)"; now "Rolling back');
    expect(report).not.toContain('certificate rotation');
    expect(report).toContain('Note deleted (its text is withheld from this report)');
    expect(report).toContain('Reminder sent to Mara Voss: status update (level 1, due 15:26)');
    expect(report).not.toContain('Report drafted');
  });
});
