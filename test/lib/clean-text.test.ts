import { describe, expect, it } from 'vitest';
import { cleanStrings, parseJsonClean } from '../../src/lib/clean-text.ts';

const SAMPLES = [
  '{"text":"plain words, émoji 🚒 and \\"quotes\\""}',
  '{"text":"a NUL \\u0000 escaped"}',
  '{"te\\u0000xt":["key with NUL", {"deep":"half an emoji \\ud83d cut"}]}',
  '{"low":"\\ude92 alone", "pair":"\\ud83d\\ude92 whole"}',
  '{"escaped backslash":"\\\\u0000 is text, not a NUL"}',
  '["\\u00e9 written as an escape", 1, true, null]',
  '"just a string \\u0000"',
  '42',
];

describe('parsing JSON with its strings cleaned', () => {
  it('gives what cleaning the parsed value gives, whatever the text holds', () => {
    for (const text of SAMPLES) expect(parseJsonClean(text)).toEqual(cleanStrings(JSON.parse(text) as unknown));
  });

  it('removes NUL and lone surrogates written as escapes, keeps whole pairs', () => {
    expect(parseJsonClean(SAMPLES[2]!)).toEqual({ text: ['key with NUL', { deep: 'half an emoji  cut' }] });
    expect(parseJsonClean(SAMPLES[3]!)).toEqual({ low: ' alone', pair: '🚒 whole' });
  });

  it('throws on text that is not JSON, as JSON.parse does', () => {
    expect(() => parseJsonClean('{"a":')).toThrow(SyntaxError);
    expect(() => parseJsonClean('{"a":"raw \u0000 NUL"}')).toThrow(SyntaxError);
  });
});
