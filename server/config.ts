import { z } from 'zod';
import { IceServers, IceTransportPolicy } from '../protocol/call';

const PositiveInt = z.coerce.number().int().positive();

/** Environment variables the server reads, with their defaults (README, PROTOCOL.md sections 3 and 6). */
export const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DUOLOGUE_DATA_DIR: z.string().min(1).default('./data'),
  // Where SQLite's writes run: the main thread (less CPU and latency on a fast disk), or a thread of
  // their own, so that a slow disk's fsync never stops the event loop (docs/performance.md).
  DUOLOGUE_SQLITE_WRITER: z.enum(['inline', 'thread']).default('inline'),
  DUOLOGUE_TIME_SCALE: z.coerce.number().positive().finite().default(1),
  DUOLOGUE_ROOM_TTL_DAYS: z.coerce.number().positive().finite().default(30),
  // Set: rooms, presence, rate limits and Socket.IO's adapter live in this Redis, shared by several processes.
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  // With REDIS_URL: how often a process tells the others it lives; one silent for 5 of these is dead.
  DUOLOGUE_HEARTBEAT_MS: PositiveInt.default(2000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DUOLOGUE_COMMAND_LIMIT: PositiveInt.default(50),
  // New connections per seat per minute: a script holding a key cannot flicker its seat's presence (0: no limit).
  DUOLOGUE_CONNECT_LIMIT: z.coerce.number().int().min(0).default(30),
  // Voice call signals per partner seat per 10 s: a call's set-up sends a few dozen at once.
  DUOLOGUE_SIGNAL_LIMIT: PositiveInt.default(200),
  // STUN and TURN servers for the voice call, as a JSON array of RTCIceServer objects (none by default).
  DUOLOGUE_ICE_SERVERS: z
    .string()
    .transform((text, context) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        context.addIssue({ code: 'custom', message: 'it is not JSON' });
        return z.NEVER;
      }
    })
    .pipe(IceServers)
    .default([]),
  // `relay` sends every call through the TURN servers: the partners' phones never learn each other's address.
  DUOLOGUE_ICE_TRANSPORT_POLICY: IceTransportPolicy.default('all'),
  DUOLOGUE_HTTP_LIMIT: z.coerce.number().int().min(0).default(60),
  // Browsers send an Origin without path or trailing slash; compare like with like.
  DUOLOGUE_ORIGIN: z.url().transform((value) => new URL(value).origin).optional(),
  // The address the phones open, when it is not the one requests arrive at (behind a proxy): for links.
  DUOLOGUE_PUBLIC_URL: z.url({ protocol: /^https?$/ }).transform((value) => new URL(value).origin).optional(),
  // A client that sends half a request is closed after these, so slow clients cannot hold the server.
  DUOLOGUE_HEADERS_TIMEOUT_MS: PositiveInt.default(10_000),
  DUOLOGUE_REQUEST_TIMEOUT_MS: PositiveInt.default(30_000),
  DUOLOGUE_KEEP_ALIVE_TIMEOUT_MS: PositiveInt.default(5_000),
  // Open connections per client address; a couple and their moderator need about 20 at most (0: no cap).
  DUOLOGUE_CONNECTIONS_PER_ADDRESS: z.coerce.number().int().min(0).default(64),
  // PEM files: with both, the server speaks HTTPS (and WSS) on its port instead of plain HTTP.
  DUOLOGUE_TLS_CERT: z.string().min(1).optional(),
  DUOLOGUE_TLS_KEY: z.string().min(1).optional(),
  // Which proxies' X-Forwarded-For and X-Forwarded-Proto to believe: none by default.
  DUOLOGUE_TRUST_PROXY: z
    .string()
    .regex(/^(true|false|\d{1,2}|[0-9A-Fa-f:./]+(\s*,\s*[0-9A-Fa-f:./]+)*|loopback|linklocal|uniquelocal)$/, {
      message: 'use true, false, a number of proxies, or addresses and ranges separated by commas',
    })
    .transform(trustProxySetting)
    .default(false),
});

/** Fastify's `trustProxy` for a DUOLOGUE_TRUST_PROXY value: a flag, a count of hops, or a list. */
function trustProxySetting(value: string): boolean | number | string {
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^\d+$/.test(value)) return Number(value);
  return value
    .split(',')
    .map((part) => part.trim())
    .join(',');
}

/** The validated configuration. */
export type Config = z.infer<typeof ConfigSchema>;

export type ConfigResult = { ok: true; config: Config } | { ok: false; message: string };

/**
 * Reads the configuration from an environment. Empty strings count as unset, so
 * `PORT= npm start` means the default rather than an error.
 */
export function readConfig(env: NodeJS.ProcessEnv): ConfigResult {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = ConfigSchema.safeParse(present);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const name = issue.path.map(String).join('.');
      // TURN credentials sit in this value: name the problem, never echo the value.
      if (issue.path[0] === 'DUOLOGUE_ICE_SERVERS') {
        const where = issue.path.length > 1 ? ` (at ${issue.path.slice(1).map(String).join('.')})` : '';
        return `DUOLOGUE_ICE_SERVERS is not valid${where}: ${issue.message}. It must be a JSON array of servers such as [{"urls":"stun:stun.example.org:3478"},{"urls":"turn:turn.example.org:3478","username":"duologue","credential":"…"}].`;
      }
      // A Redis URL may carry its password: name it and what is wrong, not the value.
      if (issue.path[0] === 'REDIS_URL') {
        return `REDIS_URL is not valid: ${issue.message}. It must be a redis:// or rediss:// URL, such as redis://127.0.0.1:6379.`;
      }
      return `${name}=${JSON.stringify(env[name] ?? '')} is not valid: ${issue.message}.`;
    });
    return { ok: false, message: `Duologue cannot start. ${lines.join(' ')}` };
  }
  if (result.data.DUOLOGUE_HEADERS_TIMEOUT_MS > result.data.DUOLOGUE_REQUEST_TIMEOUT_MS) {
    return {
      ok: false,
      message: `Duologue cannot start: DUOLOGUE_HEADERS_TIMEOUT_MS (${result.data.DUOLOGUE_HEADERS_TIMEOUT_MS}) is longer than DUOLOGUE_REQUEST_TIMEOUT_MS (${result.data.DUOLOGUE_REQUEST_TIMEOUT_MS}); the headers are part of the request.`,
    };
  }
  if ((result.data.DUOLOGUE_TLS_CERT === undefined) !== (result.data.DUOLOGUE_TLS_KEY === undefined)) {
    return {
      ok: false,
      message:
        'Duologue cannot start: HTTPS needs both DUOLOGUE_TLS_CERT and DUOLOGUE_TLS_KEY (two PEM files; `npm run cert` makes a pair for a home network). Set both, or neither for plain HTTP.',
    };
  }
  return { ok: true, config: result.data };
}

/** Milliseconds in one protocol minute for a time scale (PROTOCOL.md section 6). */
export function minuteMsFor(timeScale: number): number {
  return 60_000 / timeScale;
}
