import type { SlackStandInOptions } from './types.ts';

/** The bot events Kranz's manifest.yml subscribes to. */
export const DEFAULT_BOT_EVENTS: readonly string[] = [
  'message.channels',
  'message.groups',
  'reaction_added',
  'pin_added',
  'member_joined_channel',
];

/** Options with every default filled in, shared by all parts of the stand-in. */
export interface StandInConfig {
  readonly host: string;
  readonly port: number;
  readonly botToken: string;
  readonly signingSecret: string;
  readonly verificationToken: string;
  readonly teamId: string;
  readonly teamName: string;
  readonly teamDomain: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly appId: string;
  readonly botName: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly canvasesEnabled: boolean;
  readonly deliveryTimeoutMs: number;
  readonly eventRetries: number;
  readonly botEvents: ReadonlySet<string>;
  readonly now: () => number;
  readonly signatureNow: () => number;
  /** `http://host:port`, known once the server listens. */
  baseUrl: string;
}

/** Fills the defaults in. */
export function resolveConfig(opts: SlackStandInOptions): StandInConfig {
  const domain = opts.team?.domain ?? 'kranz-sandbox';
  return {
    host: opts.host ?? '127.0.0.1',
    port: opts.port ?? 0,
    botToken: opts.botToken ?? 'xoxb-sandbox-token',
    signingSecret: opts.signingSecret ?? 'sandbox-signing-secret',
    verificationToken: opts.verificationToken ?? 'sandboxVerificationTokn',
    teamId: opts.team?.id ?? 'T0KRANZ01',
    teamName: opts.team?.name ?? 'Kranz Sandbox',
    teamDomain: domain,
    botUserId: opts.botUserId ?? 'U0KRANZBOT',
    botId: opts.botId ?? 'B0KRANZBOT',
    appId: opts.appId ?? 'A0KRANZAPP',
    botName: opts.botName ?? 'kranz',
    clientId: opts.oauth?.clientId ?? 'sandbox-client-id',
    clientSecret: opts.oauth?.clientSecret ?? 'sandbox-client-secret',
    canvasesEnabled: opts.canvasesEnabled ?? true,
    deliveryTimeoutMs: opts.deliveryTimeoutMs ?? 3000,
    eventRetries: Math.max(0, Math.min(3, opts.eventRetries ?? 0)),
    botEvents: new Set(opts.botEvents ?? DEFAULT_BOT_EVENTS),
    now: opts.now ?? Date.now,
    signatureNow: opts.signatureNow ?? Date.now,
    baseUrl: '',
  };
}
