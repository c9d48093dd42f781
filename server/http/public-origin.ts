import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { originFromHost } from './appointment-calendar';

/**
 * How the origin of a link was found: set by DUOLOGUE_PUBLIC_URL, the machine's LAN address
 * put in place of `localhost`, or the address the request itself came to.
 */
export type OriginSource = 'configured' | 'lan' | 'request';

/** The origin to build links from (invites, QR codes, the calendar file), and whether it reaches past this computer. */
export interface PublicOrigin {
  origin: string;
  source: OriginSource;
  /** True when the origin names this computer only (localhost, 127.0.0.1, ::1): no other phone can open it. */
  localOnly: boolean;
}

export interface PublicOriginOptions {
  /** DUOLOGUE_PUBLIC_URL's origin, when set: it wins. */
  configured?: string;
  /** The address other devices reach this server at, in place of localhost; null when there is none. */
  lanAddress: () => string | null;
}

/** True for a host name that only ever means this computer. */
export function isLoopbackHost(hostname: string): boolean {
  const bare = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare.endsWith('.localhost') || bare === '::1' || (isIP(bare) === 4 && bare.startsWith('127.'));
}

/** The machine's first non-internal IPv4 address (what `npm start` prints for phones), or null. */
export function firstLanAddress(): string | null {
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) if (entry.family === 'IPv4' && !entry.internal) return entry.address;
  }
  return null;
}

/**
 * The LAN address to offer in place of localhost for a server listening on `host`: the
 * machine's own for a wildcard, none for a loopback-only server (the LAN cannot reach it),
 * and the host itself otherwise.
 */
export function lanAddressFor(host: string): () => string | null {
  if (host === '0.0.0.0' || host === '::') return firstLanAddress;
  if (isLoopbackHost(host)) return () => null;
  return () => host;
}

/**
 * The origin links are built from for `request`: DUOLOGUE_PUBLIC_URL when set; otherwise the
 * address the request came to, with this machine's LAN address in place of a loopback name
 * (a partner's phone cannot open `localhost`). Null when the request's Host is not a plain host.
 */
export function publicOriginFor(request: FastifyRequest, options: PublicOriginOptions): PublicOrigin | null {
  if (options.configured !== undefined) {
    return { origin: options.configured, source: 'configured', localOnly: isLoopbackHost(new URL(options.configured).hostname) };
  }
  const seen = originFromHost(request.headers.host, request.protocol);
  if (seen === null) return null;
  const url = new URL(seen);
  if (!isLoopbackHost(url.hostname)) return { origin: seen, source: 'request', localOnly: false };
  const lan = options.lanAddress();
  if (lan === null) return { origin: seen, source: 'request', localOnly: true };
  url.hostname = lan.includes(':') ? `[${lan}]` : lan;
  return { origin: url.origin, source: 'lan', localOnly: false };
}

/**
 * `GET /api/address`: the origin the phone builds its links from (this implementation's
 * addition to the API; docs/protocol.md section 10). Nothing in it is secret.
 */
export async function addressRoute(app: FastifyInstance, options: PublicOriginOptions): Promise<void> {
  app.get('/api/address', async (request, reply) => {
    const found = publicOriginFor(request, options);
    return reply.header('cache-control', 'no-store').send(found ?? { origin: null, source: 'request', localOnly: false });
  });
}
