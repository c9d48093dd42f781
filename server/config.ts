import { z } from 'zod';

const PositiveInt = z.coerce.number().int().positive();

/** Environment variables the server reads, with their defaults (README, PROTOCOL.md sections 3 and 6). */
export const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DUOLOGUE_DATA_DIR: z.string().min(1).default('./data'),
  DUOLOGUE_TIME_SCALE: z.coerce.number().positive().finite().default(1),
  DUOLOGUE_ROOM_TTL_DAYS: z.coerce.number().positive().finite().default(30),
  // Set: rooms, presence, rate limits and Socket.IO's adapter live in this Redis, shared by several processes.
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  // With REDIS_URL: how often a process tells the others it lives; one silent for 5 of these is dead.
  DUOLOGUE_HEARTBEAT_MS: PositiveInt.default(2000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DUOLOGUE_COMMAND_LIMIT: PositiveInt.default(50),
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
});

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
  return { ok: true, config: result.data };
}

/** Milliseconds in one protocol minute for a time scale (PROTOCOL.md section 6). */
export function minuteMsFor(timeScale: number): number {
  return 60_000 / timeScale;
}
