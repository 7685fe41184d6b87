import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signPagerDutyBody, verifyPagerDutySignature } from '../../src/adapters/pagerduty/signature.ts';
import { fixtureText } from './helpers/fixtures.ts';

const body = Buffer.from(fixtureText('v3/triggered_v3.json'), 'utf8');
const hmac = (secret: string, b: Buffer = body): string => createHmac('sha256', secret).update(b).digest('hex');

describe('verifyPagerDutySignature', () => {
  it('accepts the v1 HMAC-SHA256 of the raw body', () => {
    expect(verifyPagerDutySignature(body, `v1=${hmac('s3cret')}`, ['s3cret'])).toBe(true);
  });

  it('accepts upper-case hex and spaces after commas', () => {
    expect(verifyPagerDutySignature(body, `v1=${'0'.repeat(64)}, v1=${hmac('s3cret').toUpperCase()}`, ['s3cret'])).toBe(true);
  });

  it('rejects a signature made with another secret', () => {
    expect(verifyPagerDutySignature(body, `v1=${hmac('other')}`, ['s3cret'])).toBe(false);
  });

  it('accepts either value while secrets rotate (two v1 entries, one known secret)', () => {
    const header = `v1=${hmac('old')},v1=${hmac('new')}`;
    expect(verifyPagerDutySignature(body, header, ['new'])).toBe(true);
    expect(verifyPagerDutySignature(body, header, ['old'])).toBe(true);
    expect(verifyPagerDutySignature(body, header, ['unrelated'])).toBe(false);
  });

  it('accepts a single signature against several configured secrets', () => {
    expect(verifyPagerDutySignature(body, `v1=${hmac('new')}`, ['old', 'new'])).toBe(true);
  });

  it('rejects a tampered body', () => {
    const header = `v1=${hmac('s3cret')}`;
    const tampered = Buffer.from(body.toString('utf8').replace('Test Incident 3', 'Test Incident 4'), 'utf8');
    expect(tampered.equals(body)).toBe(false);
    expect(verifyPagerDutySignature(tampered, header, ['s3cret'])).toBe(false);
  });

  it('is byte-exact: re-serialised JSON with the same content does not verify', () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8'))), 'utf8');
    expect(verifyPagerDutySignature(reserialised, `v1=${hmac('s3cret')}`, ['s3cret'])).toBe(false);
  });

  it('rejects a missing header', () => {
    expect(verifyPagerDutySignature(body, undefined, ['s3cret'])).toBe(false);
    expect(verifyPagerDutySignature(body, '', ['s3cret'])).toBe(false);
  });

  it.each([
    ['no prefix', hmac('s3cret')],
    ['truncated hex', `v1=${hmac('s3cret').slice(0, 63)}`],
    ['non-hex', `v1=${'z'.repeat(64)}`],
    ['base64 instead of hex', `v1=${createHmac('sha256', 's3cret').update(body).digest('base64')}`],
    ['commas only', ',,,'],
    ['garbage', 'not a signature at all'],
  ])('rejects a garbage header (%s)', (_name, header) => {
    expect(verifyPagerDutySignature(body, header, ['s3cret'])).toBe(false);
  });

  it('ignores unknown versions but still checks the v1 entries next to them', () => {
    const good = hmac('s3cret');
    expect(verifyPagerDutySignature(body, `v2=${good}`, ['s3cret'])).toBe(false);
    expect(verifyPagerDutySignature(body, `v2=${'a'.repeat(64)},v1=${good}`, ['s3cret'])).toBe(true);
  });

  it('is false with no secrets, or only empty ones', () => {
    expect(verifyPagerDutySignature(body, `v1=${hmac('')}`, [])).toBe(false);
    expect(verifyPagerDutySignature(body, `v1=${hmac('')}`, [''])).toBe(false);
  });
});

describe('signPagerDutyBody', () => {
  it('emits one v1 entry per secret, comma-separated, that the verifier accepts', () => {
    const header = signPagerDutyBody(body, ['a', 'b']);
    expect(header).toBe(`v1=${hmac('a')},v1=${hmac('b')}`);
    expect(verifyPagerDutySignature(body, header, ['b'])).toBe(true);
  });

  it('signs strings as their UTF-8 bytes', () => {
    const text = '{"event":{"data":{"title":"Zürich ☕"}}}';
    expect(signPagerDutyBody(text, ['k'])).toBe(`v1=${hmac('k', Buffer.from(text, 'utf8'))}`);
  });
});
