/**
 * The one way text reaches Slack. Slack reads `&`, `<` and `>` as control
 * characters in mrkdwn and in a message's fallback `text`: `<!channel>`,
 * `<!here>`, `<!subteam^…>` and `<@U…>` notify people, `<https://…|label>`
 * is a link. A title, a summary, a note, a PagerDuty title or a customer name
 * is somebody else's text, so it must arrive as text.
 *
 * `md` is a tagged template: every interpolated string or number is escaped;
 * only another `Mrkdwn` passes through as it is. The few things Kranz means
 * to be live (a mention of a user id it knows, a channel link, a localised
 * date, a link to a URL it trusts) are built by the helpers below, which
 * check their argument's shape and fall back to escaped text otherwise. Block
 * builders and reply functions take `Mrkdwn`, not `string`, so a raw
 * interpolation does not compile where Slack would parse it.
 *
 * `plain_text` objects (headers, button labels, modal titles) are shown by
 * Slack as they are, without mentions or links, and are not escaped (an
 * escaped `&amp;` would be shown literally).
 */

const TOKEN: unique symbol = Symbol('mrkdwn');

/** Text Slack may parse as mrkdwn, every outside part of it already escaped. */
export class Mrkdwn {
  readonly #text: string;
  private constructor(text: string, token: typeof TOKEN) {
    if (token !== TOKEN) throw new Error('Mrkdwn is built with md`…` or its helpers');
    this.#text = text;
  }
  /** Only this module holds the token: everything else builds through `md` and the helpers. */
  static of(text: string, token: typeof TOKEN): Mrkdwn {
    return new Mrkdwn(text, token);
  }
  get text(): string {
    return this.#text;
  }
  toString(): string {
    return this.#text;
  }
  toJSON(): string {
    return this.#text;
  }
  get length(): number {
    return this.#text.length;
  }
  trim(): Mrkdwn {
    return make(this.#text.trim());
  }
  /** Without `*` bold marks and `:emoji:` codes: a plain line for notifications. */
  unemphasised(): Mrkdwn {
    return make(this.#text.replace(/:[a-z0-9_+-]+:\s?/g, '').replace(/\*/g, ''));
  }
  /** At most `max` characters, never cutting an `&lt;`-style entity in half. */
  slice(max: number): Mrkdwn {
    return make(cutText(this.#text, max));
  }
}

const make = (text: string): Mrkdwn => Mrkdwn.of(text, TOKEN);

export type MdValue = Mrkdwn | string | number;

/** Escapes the three characters Slack treats as control characters. */
export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const piece = (v: MdValue): string => (v instanceof Mrkdwn ? v.text : escapeText(String(v)));

/** mrkdwn with every interpolation escaped unless it is `Mrkdwn` already. */
export function md(strings: TemplateStringsArray, ...values: MdValue[]): Mrkdwn {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += piece(v) + (strings[i + 1] ?? '');
  });
  return make(out);
}

/** Outside text as mrkdwn (escaped). */
export const plain = (text: string | number): Mrkdwn => make(piece(text));

/** Joins parts with a separator (the separator is escaped when it is a string). */
export function joinMd(parts: readonly MdValue[], sep: MdValue = ''): Mrkdwn {
  return make(parts.map(piece).join(piece(sep)));
}

const USER_ID = /^[UW][A-Z0-9]{2,}$/;
const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;
const SUBTEAM_ID = /^S[A-Z0-9]{2,}$/;

/** A mention of a Slack user Kranz knows by id; anything not shaped like a user id stays text. */
export function mention(userId: string): Mrkdwn {
  return USER_ID.test(userId) ? make(`<@${userId}>`) : plain(userId);
}

/** A mention of a user group (`<!subteam^S…>`), only for an id Kranz was configured with. */
export function groupMention(groupId: string): Mrkdwn {
  return SUBTEAM_ID.test(groupId) ? make(`<!subteam^${groupId}>`) : plain(groupId);
}

/** A link to a channel (`<#C…>`); anything not shaped like a channel id stays text. */
export function channelLink(channelId: string): Mrkdwn {
  return CHANNEL_ID.test(channelId) ? make(`<#${channelId}>`) : plain(channelId);
}

/** `<!date^…>` so every reader sees their own local time; UTC as the fallback text. */
export function slackDate(iso: string, format = '{date_short_pretty} {time}'): Mrkdwn {
  const d = new Date(iso);
  const ms = d.getTime();
  if (!Number.isFinite(ms)) return plain(iso);
  const fallback = `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return make(`<!date^${Math.floor(ms / 1000)}^${format.replace(/[<>|&^]/g, '')}|${fallback}>`);
}

/**
 * A link to an http(s) URL, with an optional label. The URL's own `<`, `>`
 * and `|` are percent-encoded so it cannot end the link early; anything that
 * is not an http(s) URL stays text.
 */
export function link(url: string, label?: MdValue): Mrkdwn {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return plain(label === undefined ? url : `${label instanceof Mrkdwn ? label.text : label} (${url})`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return plain(url);
  const href = u.href.replace(/[<>|&]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  if (label === undefined) return make(`<${href}>`);
  // The first `|` ends the URL; the label's own `>` is escaped, so it cannot end the link.
  return make(`<${href}|${piece(label)}>`);
}

/**
 * Where to cut `text` at or before `max`: never inside a surrogate pair or
 * an `&lt;`-style entity (every `&` in escaped text starts one of at most
 * five characters).
 */
function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  const amp = text.lastIndexOf('&', cut - 1);
  if (amp >= 0 && amp > cut - 5 && text.indexOf(';', amp) >= cut) cut = amp;
  return text.slice(0, cut > 0 ? cut : max);
}

/**
 * Old text made safe: all of it escaped except the exact tokens listed
 * (mentions of user ids and links to channel ids Kranz itself put there).
 * For rows an older Kranz queued with finished text that quotes outside text.
 */
export function textKeeping(text: string, keep: { users?: readonly string[]; channels?: readonly string[] }): Mrkdwn {
  let out = escapeText(text);
  const restore = (token: string): void => {
    out = out.split(escapeText(token)).join(token);
  };
  for (const id of new Set(keep.users ?? [])) if (USER_ID.test(id)) restore(`<@${id}>`);
  for (const id of new Set(keep.channels ?? [])) if (CHANNEL_ID.test(id)) restore(`<#${id}>`);
  return make(out);
}
