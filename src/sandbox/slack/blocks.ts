/**
 * Block Kit limits the stand-in enforces, with Slack's error wording, so Kranz
 * finds out here (not in production) when a message or modal is too big.
 */
import { SlackMethodError, invalidArguments, json } from './validation.ts';
import type { Args } from './validation.ts';
import type { IdFactory } from './ids.ts';

type Block = Record<string, unknown>;

/** Most blocks a message may carry. */
export const MAX_MESSAGE_BLOCKS = 50;
/** Most blocks a modal or Home tab may carry. */
export const MAX_VIEW_BLOCKS = 100;

const KNOWN_BLOCKS = new Set([
  'section', 'header', 'divider', 'context', 'actions', 'input', 'image', 'rich_text', 'markdown', 'file',
  'video', 'table', 'context_actions',
]);

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Length in characters as Slack counts them (code points). */
const len = (s: unknown): number => (typeof s === 'string' ? [...s].length : 0);

function textObject(v: unknown, at: string, max: number, out: string[], plainOnly = false): void {
  if (!isObj(v) || typeof v.text !== 'string') {
    out.push(`[ERROR] must provide an object [json-pointer:${at}]`);
    return;
  }
  if (v.type !== 'plain_text' && (plainOnly || v.type !== 'mrkdwn')) {
    out.push(`[ERROR] must be a valid enum value [json-pointer:${at}/type]`);
  }
  if (len(v.text) > max) out.push(`[ERROR] must be less than ${max + 1} characters [json-pointer:${at}/text]`);
}

function element(el: unknown, at: string, out: string[]): void {
  if (!isObj(el) || typeof el.type !== 'string') {
    out.push(`[ERROR] missing required field: type [json-pointer:${at}]`);
    return;
  }
  if (len(el.action_id) > 255) out.push(`[ERROR] must be less than 256 characters [json-pointer:${at}/action_id]`);
  if (el.type === 'button') {
    textObject(el.text, `${at}/text`, 75, out, true);
    if (len(el.value) > 2000) out.push(`[ERROR] must be less than 2001 characters [json-pointer:${at}/value]`);
  }
  if (Array.isArray(el.options) && el.options.length > 100) {
    out.push(`[ERROR] must be less than 101 items [json-pointer:${at}/options]`);
  }
}

function checkBlock(b: unknown, at: string, out: string[]): void {
  if (!isObj(b) || typeof b.type !== 'string') {
    out.push(`[ERROR] missing required field: type [json-pointer:${at}]`);
    return;
  }
  if (!KNOWN_BLOCKS.has(b.type)) out.push(`[ERROR] unsupported type: ${b.type} [json-pointer:${at}/type]`);
  if (len(b.block_id) > 255) out.push(`[ERROR] must be less than 256 characters [json-pointer:${at}/block_id]`);
  const elements = Array.isArray(b.elements) ? b.elements : undefined;
  switch (b.type) {
    case 'section':
      if (b.text === undefined && b.fields === undefined) out.push(`[ERROR] missing required field: text [json-pointer:${at}]`);
      if (b.text !== undefined) textObject(b.text, `${at}/text`, 3000, out);
      if (Array.isArray(b.fields)) {
        if (b.fields.length > 10) out.push(`[ERROR] must be less than 11 items [json-pointer:${at}/fields]`);
        b.fields.forEach((f, i) => textObject(f, `${at}/fields/${i}`, 2000, out));
      }
      if (b.accessory !== undefined) element(b.accessory, `${at}/accessory`, out);
      break;
    case 'header':
      textObject(b.text, `${at}/text`, 150, out, true);
      break;
    case 'context':
      if (!elements || elements.length === 0) out.push(`[ERROR] missing required field: elements [json-pointer:${at}]`);
      else if (elements.length > 10) out.push(`[ERROR] must be less than 11 items [json-pointer:${at}/elements]`);
      break;
    case 'actions':
      if (!elements || elements.length === 0) out.push(`[ERROR] missing required field: elements [json-pointer:${at}]`);
      else if (elements.length > 25) out.push(`[ERROR] must be less than 26 items [json-pointer:${at}/elements]`);
      elements?.forEach((e, i) => element(e, `${at}/elements/${i}`, out));
      break;
    case 'input':
      textObject(b.label, `${at}/label`, 2000, out, true);
      if (b.element === undefined) out.push(`[ERROR] missing required field: element [json-pointer:${at}]`);
      else element(b.element, `${at}/element`, out);
      break;
    case 'markdown':
      if (len(b.text) > 12000) out.push(`[ERROR] must be less than 12001 characters [json-pointer:${at}/text]`);
      break;
    default:
      break;
  }
}

/** Error lines for a block list, checked against `max` items. */
export function blockErrors(blocks: unknown[], max: number, at: string): string[] {
  const out: string[] = [];
  if (blocks.length > max) out.push(`[ERROR] must be less than ${max + 1} items [json-pointer:${at}]`);
  const seen = new Set<string>();
  blocks.forEach((b, i) => {
    checkBlock(b, `${at}/${i}`, out);
    const id = isObj(b) ? b.block_id : undefined;
    if (typeof id === 'string') {
      if (seen.has(id)) out.push(`[ERROR] duplicate block_id: ${id} [json-pointer:${at}/${i}/block_id]`);
      seen.add(id);
    }
  });
  return out;
}

/**
 * Fills in the block_id / action_id values Slack generates when an app leaves
 * them out, so payloads sent back to the bot carry them as Slack's do.
 */
export function withIds(blocks: unknown[], ids: IdFactory): Block[] {
  const fill = (el: unknown): unknown =>
    isObj(el) && typeof el.type === 'string' && el.action_id === undefined && el.type !== 'image'
      ? { ...el, action_id: ids.short() }
      : el;
  return blocks.filter(isObj).map((b) => {
    const out: Block = { ...b, block_id: typeof b.block_id === 'string' ? b.block_id : ids.short() };
    if (b.type === 'input' && b.element !== undefined) out.element = fill(b.element);
    if (b.type === 'actions' && Array.isArray(b.elements)) out.elements = b.elements.map(fill);
    if (b.type === 'section' && b.accessory !== undefined) out.accessory = fill(b.accessory);
    return out;
  });
}

/**
 * The `blocks` argument of a message method: `invalid_blocks_format` when it
 * is not a JSON array, `invalid_blocks` (with Slack's messages) when it breaks
 * Block Kit limits, else the blocks with ids filled in.
 */
export function messageBlocks(args: Args, ids: IdFactory): Block[] | undefined {
  const raw = json(args, 'blocks', 'invalid_blocks_format');
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw)) throw new SlackMethodError('invalid_blocks_format');
  const errors = blockErrors(raw, MAX_MESSAGE_BLOCKS, '/blocks');
  if (errors.length > 0) throw new SlackMethodError('invalid_blocks', { response_metadata: { messages: errors } });
  return withIds(raw, ids);
}

/**
 * The rich_text block Slack derives from a plain-text message, so messages
 * without app-supplied blocks still carry `blocks` as in real payloads.
 */
export function richTextBlocks(text: string, ids: IdFactory): Block[] {
  return [
    {
      type: 'rich_text',
      block_id: ids.short(),
      elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text }] }],
    },
  ];
}

/** Whether blocks are the ones {@link richTextBlocks} derived from `text`. */
export function isDerivedRichText(blocks: Block[] | undefined, text: string): boolean {
  const [only, ...rest] = blocks ?? [];
  if (!only || rest.length > 0 || only.type !== 'rich_text') return false;
  return JSON.stringify(only.elements) === JSON.stringify([{ type: 'rich_text_section', elements: [{ type: 'text', text }] }]);
}

/** A validated view payload (views.open/push/update/publish). */
export interface ParsedView {
  type: 'modal' | 'home';
  blocks: Block[];
  title: unknown;
  close: unknown;
  submit: unknown;
  private_metadata: string;
  callback_id: string;
  external_id: string;
  clear_on_close: boolean;
  notify_on_close: boolean;
}

/**
 * The `view` argument. Slack answers `invalid_arguments` with JSON-pointer
 * messages for a view that breaks the schema, 100 blocks included.
 */
export function parseView(args: Args, ids: IdFactory): ParsedView {
  const v = json(args, 'view', 'invalid_arguments');
  if (!isObj(v)) throw invalidArguments('[ERROR] must provide an object [json-pointer:/view]');
  const errors: string[] = [];
  if (v.type !== 'modal' && v.type !== 'home') errors.push('[ERROR] must be one of modal, home [json-pointer:/view/type]');
  if (!Array.isArray(v.blocks)) errors.push('[ERROR] missing required field: blocks [json-pointer:/view]');
  const blocks = Array.isArray(v.blocks) ? v.blocks : [];
  errors.push(...blockErrors(blocks, MAX_VIEW_BLOCKS, '/view/blocks'));
  if (v.type === 'modal') {
    if (v.title === undefined) errors.push('[ERROR] missing required field: title [json-pointer:/view]');
    else textObject(v.title, '/view/title', 24, errors, true);
    if (v.submit !== undefined) textObject(v.submit, '/view/submit', 24, errors, true);
    if (v.close !== undefined) textObject(v.close, '/view/close', 24, errors, true);
    const hasInput = blocks.some((b) => isObj(b) && b.type === 'input');
    if (hasInput && v.submit === undefined) {
      errors.push('[ERROR] must provide submit when an input block is present [json-pointer:/view/submit]');
    }
  }
  if (len(v.private_metadata) > 3000) errors.push('[ERROR] must be less than 3001 characters [json-pointer:/view/private_metadata]');
  if (len(v.callback_id) > 255) errors.push('[ERROR] must be less than 256 characters [json-pointer:/view/callback_id]');
  if (len(v.external_id) > 255) errors.push('[ERROR] must be less than 256 characters [json-pointer:/view/external_id]');
  if (errors.length > 0) throw invalidArguments(...errors);
  return {
    type: v.type === 'home' ? 'home' : 'modal',
    blocks: withIds(blocks, ids),
    title: v.title,
    close: v.close,
    submit: v.submit,
    private_metadata: typeof v.private_metadata === 'string' ? v.private_metadata : '',
    callback_id: typeof v.callback_id === 'string' ? v.callback_id : '',
    external_id: typeof v.external_id === 'string' ? v.external_id : '',
    clear_on_close: v.clear_on_close === true,
    notify_on_close: v.notify_on_close === true,
  };
}
