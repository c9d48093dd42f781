import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import proxyAddr from 'proxy-addr';
import { parseCallSignal, SECRET_PATTERN } from '../protocol';
import type { Config } from './config';
import { minuteMsFor } from './config';
import { systemClock, type Clock } from './clock';
import { clientFiles } from './http/client-files';
import { limitConnectionsPerAddress } from './http/connection-limit';
import { clientErrorHandler, frameworkErrorHandler, installErrorHandler, installJsonParser } from './http/http-errors';
import { addressRoute } from './http/public-origin';
import { HELMET_OPTIONS } from './http/security-headers';
import { roomRoutes } from './http/room-routes';
import { createLogger } from './logger';
import { seatChannel, socketBroadcaster } from './realtime/broadcaster';
import { CallRelay } from './realtime/call-relay';
import { bindSocketHandlers, createSocketServer, type DuologueServer } from './realtime/socket-gateway';
import { AuthGuard } from './rooms/auth-guard';
import { RoomHost } from './rooms/room-host';
import { RoomService } from './rooms/room-service';
import type { ScaleOut } from './scale/redis-scale';
import type { RoomStore } from './store/room-store';

declare module 'fastify' {
  interface FastifyInstance {
    /** The Socket.IO server attached to this instance's HTTP server. */
    io: DuologueServer;
    /** The room service, for tests and maintenance tasks (e.g. the expiry sweep). */
    rooms: RoomService;
  }
}

/** The settings `buildApp` uses; `readConfig` gives them all. */
export type AppConfig = Pick<
  Config,
  | 'DUOLOGUE_TIME_SCALE'
  | 'DUOLOGUE_ROOM_TTL_DAYS'
  | 'DUOLOGUE_COMMAND_LIMIT'
  | 'DUOLOGUE_HTTP_LIMIT'
  | 'DUOLOGUE_ORIGIN'
  | 'DUOLOGUE_PUBLIC_URL'
  | 'DUOLOGUE_HEADERS_TIMEOUT_MS'
  | 'DUOLOGUE_REQUEST_TIMEOUT_MS'
  | 'DUOLOGUE_KEEP_ALIVE_TIMEOUT_MS'
  | 'DUOLOGUE_CONNECTIONS_PER_ADDRESS'
  | 'LOG_LEVEL'
> &
  // These have defaults here too (30 connections per seat per minute; 200 signals per 10 s, no ICE servers).
  Partial<
    Pick<Config, 'DUOLOGUE_CONNECT_LIMIT' | 'DUOLOGUE_TRUST_PROXY' | 'DUOLOGUE_SIGNAL_LIMIT' | 'DUOLOGUE_ICE_SERVERS' | 'DUOLOGUE_ICE_TRANSPORT_POLICY'>
  >;

/** A certificate and its private key (PEM), for HTTPS and WSS on the server's own port. */
export interface TlsFiles {
  cert: string | Buffer;
  key: string | Buffer;
}

export interface AppDeps {
  config: AppConfig;
  /** The app owns the store from here on and closes it when it closes. */
  store: RoomStore;
  clock?: Clock;
  logger?: FastifyBaseLogger;
  /** The built client (dist/client), or null to serve the API alone. */
  clientDir?: string | null;
  /**
   * The level of the one line per request and per command: `info` (the default) for logs read
   * later, `debug` when a person watches the terminal and must not see the addresses scroll away.
   */
  requestLogLevel?: 'info' | 'debug';
  /** With a certificate the server speaks HTTPS (and Socket.IO WSS); without, plain HTTP. */
  tls?: TlsFiles | null;
  /** The address other devices reach this server at, put in links instead of localhost; null: none. */
  lanAddress?: () => string | null;
  /**
   * Several processes sharing Redis (REDIS_URL): presence, rate limits and Socket.IO's adapter
   * go through it, and its timers start with the app and stop when it closes. `store` is then
   * its Redis store.
   */
  scaleOut?: ScaleOut;
}

/** The maximum JSON body (PROTOCOL.md section 2). */
export const BODY_LIMIT = 16 * 1024;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Builds the Duologue server: Fastify with Socket.IO on its HTTP server. It does not
 * listen; `ready()` (or `listen()`) restores deadlines, `close()` disconnects every
 * socket, waits for queued writes and closes the store.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, store } = deps;
  const clock = deps.clock ?? systemClock();
  const logger = deps.logger ?? (createLogger(config.LOG_LEVEL) as FastifyBaseLogger);
  const requestLogLevel = deps.requestLogLevel ?? 'info';
  const serverTimeouts = {
    headersTimeout: config.DUOLOGUE_HEADERS_TIMEOUT_MS,
    requestTimeout: config.DUOLOGUE_REQUEST_TIMEOUT_MS,
    // Node checks the two timeouts every 30 s by default, which would stretch them by as much.
    connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.round(config.DUOLOGUE_HEADERS_TIMEOUT_MS / 4))),
  };
  const trustProxy = config.DUOLOGUE_TRUST_PROXY ?? false;
  const options: FastifyServerOptions = {
    loggerInstance: logger,
    bodyLimit: BODY_LIMIT,
    // Fastify's defaults (0: no limit) would let a client that sends half a request hold its connection for ever.
    requestTimeout: config.DUOLOGUE_REQUEST_TIMEOUT_MS,
    keepAliveTimeout: config.DUOLOGUE_KEEP_ALIVE_TIMEOUT_MS,
    // Errors that come before any route or hook are answered in the API's shape too.
    frameworkErrors: frameworkErrorHandler(logger, requestLogLevel),
    clientErrorHandler: clientErrorHandler(logger),
    // One line per request comes from the onResponse hook below, without the URL's query or headers.
    logController: new LogController({ disableRequestLogging: true }),
    // A room id of any length up to this reaches its route, which answers 404 room_not_found.
    routerOptions: { maxParamLength: 1024 },
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // Off unless DUOLOGUE_TRUST_PROXY names the proxy in front: then request.ip is the phone's address.
    trustProxy: trustProxy === false ? false : proxyTrust(trustProxy),
  };
  // HTTPS takes the same server options as HTTP, beside the certificate (Node's https.createServer).
  const app = (
    deps.tls
      ? Fastify({ ...options, https: { ...serverTimeouts, cert: deps.tls.cert, key: deps.tls.key } } as FastifyServerOptions)
      : Fastify({ ...options, http: serverTimeouts })
  ) as FastifyInstance;

  limitConnectionsPerAddress(app.server, config.DUOLOGUE_CONNECTIONS_PER_ADDRESS, logger);
  const { scaleOut } = deps;
  const io = createSocketServer(app.server, config.DUOLOGUE_ORIGIN, scaleOut?.socketOptions);
  if (trustProxy !== false) {
    // The socket's handshake counts failed keys per address like the HTTP routes: the phone's, not the proxy's.
    const trusted = proxyTrust(trustProxy);
    io.use((socket, next) => {
      socket.handshake.address = proxyAddr(socket.request, trusted);
      next();
    });
  }
  const ttlMs = config.DUOLOGUE_ROOM_TTL_DAYS * DAY_MS;
  const call = new CallRelay({
    io,
    log: app.log,
    signalLimit: config.DUOLOGUE_SIGNAL_LIMIT ?? 200,
    iceServers: config.DUOLOGUE_ICE_SERVERS ?? [],
    iceTransportPolicy: config.DUOLOGUE_ICE_TRANSPORT_POLICY ?? 'all',
    logLevel: requestLogLevel,
    limiters: scaleOut?.limiters,
    // Several processes: signals go over Redis pub/sub, each process handing them to its own connections.
    deliver: scaleOut?.signals((roomId, seat, signal) => {
      const checked = parseCallSignal(signal);
      if (checked.ok) io.local.to(seatChannel(roomId, seat)).emit('call:signal', checked.value);
    }),
  });
  const host = new RoomHost({
    store,
    clock,
    broadcaster: socketBroadcaster(io, { shared: scaleOut !== undefined }),
    log: app.log,
    commandLimit: config.DUOLOGUE_COMMAND_LIMIT,
    connectLimit: config.DUOLOGUE_CONNECT_LIMIT,
    ttlMs,
    // A talk's commands scroll a watched terminal as fast as requests do.
    commandLogLevel: requestLogLevel,
    presence: scaleOut?.presence,
    limiters: scaleOut?.limiters,
    // The call's signal counts name the room too; they go with it.
    forgetRoom: (roomId) => call.forget(roomId),
  });
  const rooms = new RoomService({ store, clock, host, log: app.log, minuteMs: minuteMsFor(config.DUOLOGUE_TIME_SCALE), ttlMs });
  // Failed seat keys and invites per address share the HTTP limit's number (0 turns both off).
  const guard = new AuthGuard(config.DUOLOGUE_HTTP_LIMIT, scaleOut?.limiters);
  bindSocketHandlers(io, { rooms, host, call, guard, now: () => clock.now(), log: app.log });
  app.decorate('io', io);
  app.decorate('rooms', rooms);

  app.addHook('onResponse', async (request, reply) => {
    const params = request.params as { roomId?: unknown } | undefined;
    // The path's room id only when the request was answered as a room's (2xx, 3xx): on a refusal
    // it may be anything a client put there (words, or a seat key sent in the wrong place).
    const roomId = typeof params?.roomId === 'string' && reply.statusCode < 400 && SECRET_PATTERN.test(params.roomId) ? params.roomId : undefined;
    request.log[requestLogLevel](
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        roomId,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 100) / 100,
      },
      'request',
    );
  });
  app.addHook('onReady', async () => {
    await rooms.boot();
    await scaleOut?.start(host, app.log);
  });
  app.addHook('preClose', async () => {
    io.local.disconnectSockets(true);
    await new Promise<void>((resolve) => {
      // io.close() also closes the HTTP server, which Fastify closes too: that error is expected.
      void io.close(() => resolve());
    });
  });
  app.addHook('onClose', async () => {
    rooms.close();
    await host.close();
    await store.close();
    await scaleOut?.close();
  });

  installErrorHandler(app);
  installJsonParser(app);
  await app.register(helmet, HELMET_OPTIONS);
  if (config.DUOLOGUE_ORIGIN !== undefined) {
    // A list makes the plugin answer only a matching Origin, instead of always naming the configured one.
    // Retry-After is not among the headers a page on another origin may read unless named.
    await app.register(cors, { origin: [config.DUOLOGUE_ORIGIN], methods: ['GET', 'POST', 'DELETE'], exposedHeaders: ['Retry-After'] });
  }
  const address = { configured: config.DUOLOGUE_PUBLIC_URL, lanAddress: deps.lanAddress ?? (() => null) };
  await roomRoutes(app, {
    rooms,
    guard,
    httpLimit: config.DUOLOGUE_HTTP_LIMIT,
    address,
    limiters: scaleOut?.limiters,
    healthy: scaleOut?.healthy,
  });
  await addressRoute(app, address);
  await clientFiles(app, { clientDir: deps.clientDir ?? null });
  return app;
}

/** The same trust Fastify gives `trustProxy` (a flag, a number of hops, or addresses and ranges), for proxy-addr. */
function proxyTrust(setting: boolean | number | string): (address: string, hop: number) => boolean {
  if (typeof setting === 'boolean') return () => setting;
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  return proxyAddr.compile(setting.split(','));
}
