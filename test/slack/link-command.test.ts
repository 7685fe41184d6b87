/**
 * `/incident link …` as the parser reads it: a PagerDuty incident id or its
 * web URL, as typed or as Slack escapes a link (`should_escape`); anything
 * else a private usage line, a number told it is the number and not the id.
 */
import { describe, expect, it } from 'vitest';
import { pagerDutyIncidentIdIn, parseIncidentCommand, USAGE } from '../../src/adapters/slack/command-parser.ts';

describe('the PagerDuty incident a word names', () => {
  it.each([
    ['PABC123', 'PABC123'],
    ['pabc123', 'PABC123'],
    ['Q2K9ZL4RTS', 'Q2K9ZL4RTS'],
    ['https://acme.pagerduty.com/incidents/PABC123', 'PABC123'],
    ['<https://acme.pagerduty.com/incidents/PABC123>', 'PABC123'],
    ['<https://acme.pagerduty.com/incidents/PABC123|acme.pagerduty.com/incidents/PABC123>', 'PABC123'],
    ['https://acme.eu.pagerduty.com/incidents/Q2K9ZL4RTS/timeline?tab=notes#x', 'Q2K9ZL4RTS'],
    ['acme.pagerduty.com/incidents/PABC123', 'PABC123'],
    ['http://acme.pagerduty.com/incidents/PABC123/', 'PABC123'],
  ])('%s → %s', (word, id) => {
    expect(pagerDutyIncidentIdIn(word)).toBe(id);
  });

  it.each([
    'PA', '1234', '#1234', 'P-ABC', 'PABC123!', 'P'.repeat(40),
    'https://acme.opsgenie.com/incidents/PABC123', 'https://pagerduty.com.evil.example/incidents/PABC123',
    'https://acme.pagerduty.com/services/PSVC123', 'https://acme.pagerduty.com/incidents/', 'ftp://acme.pagerduty.com/incidents/PABC123',
    'https://acme.pagerduty.com/incidents/1234', '<https://acme.pagerduty.com/alerts/PABC123>', 'javascript:alert(1)//pagerduty.com/incidents/PABC123',
  ])('%s names none', (word) => {
    expect(pagerDutyIncidentIdIn(word)).toBeUndefined();
  });
});

describe('/incident link', () => {
  it('parses one id or URL, under `link` and `link-pagerduty`', () => {
    expect(parseIncidentCommand('link PABC123')).toEqual({ ok: true, command: { kind: 'link_pagerduty', pdIncidentId: 'PABC123' } });
    expect(parseIncidentCommand('LINK-PAGERDUTY <https://acme.pagerduty.com/incidents/PABC123>')).toEqual({ ok: true, command: { kind: 'link_pagerduty', pdIncidentId: 'PABC123' } });
  });

  it('answers anything else with what it needs', () => {
    const message = (text: string): string => {
      const r = parseIncidentCommand(text);
      return r.ok ? '' : r.message.text;
    };
    expect(message('link')).toBe('`/incident link` needs one PagerDuty incident id or URL. Usage: `/incident link PABC123`');
    expect(message('link PABC123 PXYZ789')).toBe('`/incident link` needs one PagerDuty incident id or URL. Usage: `/incident link PABC123`');
    expect(message('link 4711')).toBe(
      "`4711` is not a PagerDuty incident id or URL. That looks like the incident's number; Kranz needs its id. Give the id (the last part of the incident's URL in PagerDuty) or the URL, e.g. `/incident link PABC123` or `/incident link https://acme.pagerduty.com/incidents/PABC123`.",
    );
    // What someone typed is text, never a live mention or link.
    expect(message('link <!channel>')).toBe("`&lt;!channel&gt;` is not a PagerDuty incident id or URL. Give the id (the last part of the incident's URL in PagerDuty) or the URL, e.g. `/incident link PABC123` or `/incident link https://acme.pagerduty.com/incidents/PABC123`.");
  });

  it('is in the help', () => {
    expect(USAGE.map(([u]) => u)).toContain('link <PagerDuty incident id or URL>');
  });
});

describe('/incident unlink', () => {
  it('parses one id or URL, under `unlink` and `unlink-pagerduty`, and is in the help', () => {
    expect(parseIncidentCommand('unlink PABC123')).toEqual({ ok: true, command: { kind: 'unlink_pagerduty', pdIncidentId: 'PABC123' } });
    expect(parseIncidentCommand('unlink-pagerduty https://acme.pagerduty.com/incidents/PABC123')).toEqual({ ok: true, command: { kind: 'unlink_pagerduty', pdIncidentId: 'PABC123' } });
    expect(USAGE.map(([u]) => u)).toContain('unlink <PagerDuty incident id or URL>');
  });

  it('answers anything else with what it needs, giving `unlink` examples', () => {
    const r = parseIncidentCommand('unlink PA');
    expect(!r.ok && r.message.text).toBe("`PA` is not a PagerDuty incident id or URL. Give the id (the last part of the incident's URL in PagerDuty) or the URL, e.g. `/incident unlink PABC123` or `/incident unlink https://acme.pagerduty.com/incidents/PABC123`.");
    const two = parseIncidentCommand('unlink PABC123 PXYZ789');
    expect(!two.ok && two.message.text).toBe('`/incident unlink` needs one PagerDuty incident id or URL. Usage: `/incident unlink PABC123`');
  });
});
