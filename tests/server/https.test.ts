import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import type { CreateRoomResponse, StateView } from '../../protocol';
import { buildApp } from '../../server/app';
import { openSqliteStore } from '../../server/store/sqlite-store';
import { CERT_FILES, makeLocalCertificate } from '../../server/tls/local-cert';
import { TEST_CONFIG, tempDataDir } from '../support/test-server';

/** One HTTPS request that trusts only `ca`: status, headers and JSON body. */
function call(url: string, ca: string, method: string, body?: unknown, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: unknown }>((resolve, reject) => {
    const req = httpsRequest(url, { method, ca, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text === '' ? null : JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

describe('HTTPS and WSS with a certificate from npm run cert', () => {
  const certDir = mkdtempSync(join(tmpdir(), 'duologue-cert-'));
  const data = tempDataDir();
  let url: string;
  let ca: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    await makeLocalCertificate(certDir, ['localhost', '127.0.0.1']);
    ca = readFileSync(join(certDir, CERT_FILES.caCert), 'utf8');
    const app = await buildApp({
      config: TEST_CONFIG,
      store: openSqliteStore(data.dir),
      tls: { cert: readFileSync(join(certDir, CERT_FILES.cert)), key: readFileSync(join(certDir, CERT_FILES.key)) },
      lanAddress: () => null,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (typeof address !== 'object' || address === null) throw new Error('no address');
    url = `https://127.0.0.1:${address.port}`;
    close = () => app.close();
  });
  afterAll(async () => {
    await close?.();
    data.remove();
    rmSync(certDir, { recursive: true, force: true });
  });

  it('answers the API over TLS with a chain a phone that trusts the local authority accepts', async () => {
    const health = await call(`${url}/api/health`, ca, 'GET');
    expect(health).toMatchObject({ status: 200, body: { ok: true } });
    // Over HTTPS, helmet's HSTS header means something: the browser keeps to HTTPS from then on.
    expect(String(health.headers['strict-transport-security'])).toMatch(/max-age=\d+/);
    // The links the phone builds name the https origin it came to.
    const address = await call(`${url}/api/address`, ca, 'GET');
    expect(address.body).toEqual({ origin: url, source: 'request', localOnly: true });
  });

  it('is refused by a client that trusts another authority: the certificate is checked, not waved through', async () => {
    const other = mkdtempSync(join(tmpdir(), 'duologue-cert-'));
    try {
      await makeLocalCertificate(other, ['localhost']);
      const stranger = readFileSync(join(other, CERT_FILES.caCert), 'utf8');
      await expect(call(`${url}/api/health`, stranger, 'GET')).rejects.toThrow(/certificate|signature/i);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('carries the talk over WSS on the same port', async () => {
    const created = (await call(`${url}/api/rooms`, ca, 'POST', { name: 'Alex', topic: '', method: 'imago', breakMinutes: 20 })).body as CreateRoomResponse;
    expect(created.seat).toBe('A');
    const socket = io(url, { auth: { roomId: created.roomId, seatKey: created.seatKey }, transports: ['websocket'], reconnection: false, forceNew: true, ca });
    try {
      const state = await new Promise<StateView>((resolve, reject) => {
        socket.once('state', resolve);
        socket.once('connect_error', reject);
      });
      expect(state.phase).toBe('lobby');
      expect(socket.io.engine.transport.name).toBe('websocket');
    } finally {
      socket.close();
    }
  });
});
