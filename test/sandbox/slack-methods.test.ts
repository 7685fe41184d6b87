import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { METHOD_SPECS, implementedMethods, startSlackStandIn } from '../../src/sandbox/slack/index.ts';

interface CatalogEntry {
  required: string[];
  args: string[];
  errors: string[];
  source: string;
}

/** Copy of /work/shared/slack/methods (+3 methods from the Web API OpenAPI spec); see its `_about`. */
const catalog = (
  JSON.parse(readFileSync(new URL('../fixtures/slack/methods-catalog.json', import.meta.url), 'utf8')) as {
    methods: Record<string, CatalogEntry>;
  }
).methods;

describe('Slack stand-in: methods match Slack\'s reference', () => {
  const methods = implementedMethods();

  it('implements every method Kranz needs, each one documented by Slack', () => {
    expect(methods.length).toBeGreaterThanOrEqual(38);
    const undocumented = methods.filter((m) => !(m in catalog));
    expect(undocumented).toEqual([]);
    // Three are absent from the per-method copy and come from the OpenAPI spec instead.
    const fromSpec = methods.filter((m) => catalog[m]?.source.includes('openapi'));
    expect(fromSpec).toEqual(['conversations.list', 'conversations.open', 'pins.list']);
  });

  it('checks exactly the required arguments Slack documents', () => {
    for (const m of methods) {
      const spec = METHOD_SPECS[m];
      expect(spec, m).toBeDefined();
      expect(spec?.required, m).toEqual(catalog[m]?.required.filter((a) => a !== 'token'));
    }
  });

  it('lists only error codes the reference documents for each method', () => {
    for (const m of methods) {
      const documented = new Set(catalog[m]?.errors);
      expect(METHOD_SPECS[m]?.errors.filter((e) => !documented.has(e)), m).toEqual([]);
    }
  });

  it('serves every implemented method over HTTP and nothing else', async () => {
    const slack = await startSlackStandIn();
    try {
      const call = async (m: string): Promise<{ ok: boolean; error?: string }> => {
        const res = await fetch(`${slack.apiUrl}${m}`, { method: 'POST', headers: { authorization: 'Bearer xoxb-sandbox-token' } });
        expect(res.status, m).toBe(200);
        return (await res.json()) as { ok: boolean; error?: string };
      };
      for (const m of methods) expect((await call(m)).error, m).not.toBe('unknown_method');
      // Reference methods the stand-in leaves out are refused as unknown, not silently accepted.
      expect(await call('chat.scheduleMessage')).toEqual(expect.objectContaining({ ok: false, error: 'unknown_method' }));
    } finally {
      await slack.close();
    }
  });
});
