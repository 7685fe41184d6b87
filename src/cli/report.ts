/** `kranz report INC-7` (or `7`): print the drafted report of an incident. */
import type { CliCommand } from './command.ts';
import { CliError, UsageError } from './command.ts';
import { loadConfig } from './config.ts';

/** `INC-7`, `inc-7` or `7` → 7; undefined for anything else. */
export function parseIncidentRef(ref: string): number | undefined {
  const m = /^(?:INC-?)?(\d+)$/i.exec(ref.trim());
  const n = m ? Number(m[1]) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

export const reportCommand: CliCommand = {
  name: 'report',
  summary: 'print the drafted report of an incident',
  args: '<INC-n | n> [--customer <id>] [--format markdown|html]',
  positionals: { min: 1, max: 1 },
  details: 'The report is drafted from the incident\'s timeline with the policy it ran under (the current policy, KRANZ_CONFIG, fills what it did not record). With --customer, the report that customer may read.',
  flags: {
    customer: { type: 'string', value: 'ID', description: 'the customer report for this attached customer (id or name) instead of the internal report' },
    format: { type: 'string', value: 'FORMAT', description: '"markdown" (default) or "html": a standalone, printable page' },
  },
  async run({ positionals, flags, io }) {
    const ref = positionals[0] ?? '';
    const number = parseIncidentRef(ref);
    if (number === undefined) throw new UsageError(`kranz report: "${ref}" is not an incident number; use INC-7 or 7`);
    const format = typeof flags['format'] === 'string' ? flags['format'].toLowerCase() : 'markdown';
    if (format !== 'markdown' && format !== 'md' && format !== 'html') throw new UsageError(`kranz report: --format must be markdown or html, not "${String(flags['format'])}"`);
    const customerRef = typeof flags['customer'] === 'string' ? flags['customer'] : undefined;
    if (flags['customer'] !== undefined && !customerRef?.trim()) throw new UsageError('kranz report: --customer needs a customer id or name');
    const { env, policy } = await loadConfig();
    const { openCheckedDatabase } = await import('../main.ts');
    const { createCommandLogger } = await import('../adapters/logging.ts');
    // Logs go to stderr, as sentences: stdout carries the report alone.
    const log = createCommandLogger(env.logLevel);
    const { db } = await openCheckedDatabase(env, log);
    try {
      const { PostgresStore } = await import('../adapters/db/store.ts');
      const { draftReport, draftCustomerReport, renderCustomerMarkdown, reportCustomers } = await import('../domain/report/index.ts');
      const { findCustomer } = await import('../domain/policy.ts');
      const store = new PostgresStore(db.pool);
      const events = await store.transaction(async (u) => {
        const id = await u.incidents.findIncidentIdByNumber(number);
        return id ? u.events.loadEvents(id) : undefined;
      });
      if (!events) throw new CliError(`There is no INC-${number} in ${db.url} (KRANZ_DATA_DIR=${env.dataDir}${env.databaseUrl ? '' : ', embedded database'}). "kranz list --all" shows the incidents there.`);
      let markdown: string;
      let title: string;
      if (customerRef) {
        const attached = reportCustomers(events);
        const id = findCustomer(policy, customerRef)?.id ?? customerRef.trim().toLowerCase();
        const report = draftCustomerReport(events, policy, id);
        if (!report) {
          throw new CliError(`INC-${number} has no customer "${customerRef}". Attached: ${attached.join(', ') || 'none'} (attach one with /incident customer <id>).`);
        }
        markdown = renderCustomerMarkdown(report);
        title = `INC-${number} incident report for ${report.customer.name}`;
      } else {
        markdown = draftReport(events, policy);
        title = markdown.split('\n', 1)[0]?.replace(/^#\s*/, '') ?? `INC-${number}`;
      }
      if (format === 'html') {
        const { renderReportPage } = await import('../adapters/html/report-page.ts');
        io.out(renderReportPage(markdown, title));
      } else {
        io.out(markdown);
      }
      return 0;
    } finally {
      await db.close();
    }
  },
};
