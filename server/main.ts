import closeWithGrace from 'close-with-grace';
import type { FastifyBaseLogger } from 'fastify';
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { buildApp, type TlsFiles } from './app';
import { CLIENT_DIST } from './client-build';
import { readConfig } from './config';
import { lanAddressFor } from './http/public-origin';
import { createLogger, silenceStandardOutput } from './logger';
import { openRedisScaleOut } from './scale/redis-scale';
import { openSqliteStore } from './store/sqlite-store';
import { FAULT_SIGNALS, isOutputGone, releaseTerminal, terminalDescriptors } from './terminal';

/** The addresses a phone on the same network can open, plus localhost; `https` when the server has a certificate. */
export function reachableAddresses(host: string, port: number, scheme: 'http' | 'https' = 'http'): string[] {
  const wildcard = host === '0.0.0.0' || host === '::';
  if (!wildcard) return [`${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`];
  const lan = Object.values(networkInterfaces())
    .flatMap((entries) => entries ?? [])
    .filter((entry) => entry.family === 'IPv4' && !entry.internal)
    .map((entry) => `${scheme}://${entry.address}:${port}`);
  return [`${scheme}://localhost:${port}`, ...lan];
}

/** The certificate and key named by DUOLOGUE_TLS_CERT and DUOLOGUE_TLS_KEY, or a sentence saying why they cannot be read. */
export function readTlsFiles(certPath: string, keyPath: string): { ok: true; tls: TlsFiles } | { ok: false; message: string } {
  const read = (name: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new Error(`${name}=${JSON.stringify(path)} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}).`, { cause: error });
    }
  };
  try {
    return { ok: true, tls: { cert: read('DUOLOGUE_TLS_CERT', certPath), key: read('DUOLOGUE_TLS_KEY', keyPath) } };
  } catch (error) {
    return { ok: false, message: `Duologue cannot start: ${(error as Error).message}` };
  }
}

/**
 * Reads the configuration, opens the store, serves until SIGTERM, SIGINT or SIGHUP (a
 * closed terminal), then closes gracefully (sockets, queued writes, a WAL checkpoint).
 */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const parsed = readConfig(env);
  if (!parsed.ok) {
    console.error(parsed.message);
    process.exit(1);
  }
  const { config } = parsed;
  let tls: TlsFiles | null = null;
  if (config.DUOLOGUE_TLS_CERT !== undefined && config.DUOLOGUE_TLS_KEY !== undefined) {
    const files = readTlsFiles(config.DUOLOGUE_TLS_CERT, config.DUOLOGUE_TLS_KEY);
    if (!files.ok) {
      console.error(files.message);
      process.exit(1);
    }
    tls = files.tls;
  }
  const scheme = tls === null ? 'http' : 'https';
  const terminal = terminalDescriptors();
  // A banner written after the terminal closed must not bring the server down.
  process.stdout.on('error', (error) => {
    if (!isOutputGone(error)) throw error;
  });
  const logger = createLogger(config.LOG_LEVEL) as FastifyBaseLogger;
  // REDIS_URL: rooms live in Redis, shared with the other processes; unset, in SQLite for this one.
  let scaleOut: Awaited<ReturnType<typeof openRedisScaleOut>> | undefined;
  if (config.REDIS_URL !== undefined) {
    try {
      scaleOut = await openRedisScaleOut({ url: config.REDIS_URL, heartbeatMs: config.DUOLOGUE_HEARTBEAT_MS });
    } catch (error) {
      // The URL may hold a password: the message names the setting, not its value.
      console.error(`Duologue cannot start: the Redis at REDIS_URL does not answer (${(error as Error).message}).`);
      process.exit(1);
    }
  }
  const store = scaleOut?.store ?? openSqliteStore(config.DUOLOGUE_DATA_DIR, { writer: config.DUOLOGUE_SQLITE_WRITER });
  // A person watching the terminal needs the addresses on screen, not a line per request.
  const watched = process.stdout.isTTY === true;
  let app;
  try {
    app = await buildApp({
      config,
      store,
      scaleOut,
      logger,
      clientDir: CLIENT_DIST,
      requestLogLevel: watched ? 'debug' : 'info',
      tls,
      lanAddress: lanAddressFor(config.HOST),
    });
  } catch (error) {
    // A certificate and key that do not belong together, or a file that is not PEM.
    console.error(`Duologue cannot start: the TLS certificate or key is not usable (${(error as Error).message}).`);
    process.exit(1);
  }

  closeWithGrace({ delay: 10_000, skip: [...FAULT_SIGNALS] }, async ({ signal, err }) => {
    if (err !== undefined) logger.error({ err }, 'stopping after an error');
    else logger.info({ signal }, 'stopping');
    await app.close();
    // A closed terminal sends SIGHUP; Node would abort at exit restoring its settings.
    if (signal === 'SIGHUP' && terminal.length > 0) {
      silenceStandardOutput();
      releaseTerminal(terminal);
    }
  });

  await app.listen({ port: config.PORT, host: config.HOST });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.PORT;
  const addresses = reachableAddresses(config.HOST, port, scheme);
  logger.info({ addresses, port, scheme }, `Duologue is open over ${scheme.toUpperCase()} at ${addresses.join(' , ')}`);
  // A person at a terminal gets the addresses in plain words too; piped output stays pure JSON lines.
  if (watched) process.stdout.write(startBanner(addresses, config.DUOLOGUE_TIME_SCALE, config.DUOLOGUE_PUBLIC_URL));
}

/**
 * What a person who ran `npm start` needs to know: where the phones go, and that breaks
 * run faster than the clock when `DUOLOGUE_TIME_SCALE` says so.
 */
export function startBanner(addresses: string[], timeScale = 1, publicUrl?: string): string {
  const [local, ...lan] = addresses;
  const secure = local?.startsWith('https:') === true;
  const lines = [
    '',
    secure
      ? '  Duologue is running over HTTPS (and WSS), with the certificate in DUOLOGUE_TLS_CERT.'
      : '  Duologue is running over plain HTTP: copy, share and keeping the screen on need HTTPS on phones (see docs/deploy.md).',
    ...(publicUrl === undefined ? [] : [`  Invites point at DUOLOGUE_PUBLIC_URL: ${publicUrl}`]),
    ...(lan.length > 0
      ? ['  On each phone, on the same Wi-Fi, open:', ...lan.map((a) => `    ${a}`), `  On this computer: ${local}`]
      : [`  Open: ${local}`]),
    ...(timeScale === 1 ? [] : [`  Breaks run ${timeScale}× faster: DUOLOGUE_TIME_SCALE=${timeScale}`]),
    '  Stop with Ctrl+C.',
    '',
    '',
  ];
  return lines.join('\n');
}
