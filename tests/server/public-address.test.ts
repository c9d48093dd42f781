import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type AppConfig } from '../../server/app';
import { isLoopbackHost } from '../../server/http/public-origin';
import { openSqliteStore } from '../../server/store/sqlite-store';
import { TEST_CONFIG, tempDataDir } from '../support/test-server';

describe('the address invites are built from (GET /api/address)', () => {
  const data = tempDataDir();
  const opened: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of opened.splice(0)) await close();
  });

  async function server(config: Partial<AppConfig>, lanAddress: () => string | null) {
    const app = await buildApp({ config: { ...TEST_CONFIG, ...config }, store: openSqliteStore(`${data.dir}/${opened.length}-${Date.now()}`), lanAddress });
    await app.ready();
    opened.push(() => app.close());
    return app;
  }

  it('is DUOLOGUE_PUBLIC_URL when set, whatever the request came to', async () => {
    const app = await server({ DUOLOGUE_PUBLIC_URL: 'https://talk.example.org' }, () => '192.168.1.20');
    const answer = await app.inject({ url: '/api/address', headers: { host: 'localhost:3000' } });
    expect(answer.json()).toEqual({ origin: 'https://talk.example.org', source: 'configured', localOnly: false });
    expect(answer.headers['cache-control']).toBe('no-store');
  });

  it('puts the LAN address in place of localhost, keeping the port', async () => {
    const app = await server({}, () => '192.168.1.20');
    for (const host of ['localhost:3000', '127.0.0.1:3000', '[::1]:3000']) {
      const answer = await app.inject({ url: '/api/address', headers: { host } });
      expect(answer.json()).toEqual({ origin: 'http://192.168.1.20:3000', source: 'lan', localOnly: false });
    }
  });

  it('keeps the address a phone already reached', async () => {
    const app = await server({}, () => '192.168.1.20');
    const answer = await app.inject({ url: '/api/address', headers: { host: 'duologue.home.arpa:8080' } });
    expect(answer.json()).toEqual({ origin: 'http://duologue.home.arpa:8080', source: 'request', localOnly: false });
  });

  it('says when the invite would only work on this computer', async () => {
    // No LAN address (no network, or a server listening on 127.0.0.1 only).
    const app = await server({}, () => null);
    expect((await app.inject({ url: '/api/address', headers: { host: 'localhost:3000' } })).json()).toEqual({
      origin: 'http://localhost:3000',
      source: 'request',
      localOnly: true,
    });
    const configured = await server({ DUOLOGUE_PUBLIC_URL: 'http://127.0.0.1:3000' }, () => '192.168.1.20');
    expect((await configured.inject({ url: '/api/address' })).json()).toMatchObject({ source: 'configured', localOnly: true });
  });

  it('answers a forged Host with no origin rather than a link elsewhere', async () => {
    const app = await server({}, () => '192.168.1.20');
    const answer = await app.inject({ url: '/api/address', headers: { host: 'evil.example/path@x' } });
    expect(answer.json()).toEqual({ origin: null, source: 'request', localOnly: false });
  });

  it('believes X-Forwarded-For and X-Forwarded-Proto only from a trusted proxy', async () => {
    const trusting = await server({ DUOLOGUE_TRUST_PROXY: '127.0.0.1', DUOLOGUE_HTTP_LIMIT: 1 }, () => null);
    const body = { name: 'Alex', topic: '', method: 'imago', breakMinutes: 20 };
    const from = (ip: string) => ({ 'x-forwarded-for': ip, 'x-forwarded-proto': 'https', host: 'talk.example.org' });
    // Two phones behind the same proxy each get their own limit.
    expect((await trusting.inject({ method: 'POST', url: '/api/rooms', payload: body, headers: from('203.0.113.5') })).statusCode).toBe(201);
    expect((await trusting.inject({ method: 'POST', url: '/api/rooms', payload: body, headers: from('203.0.113.6') })).statusCode).toBe(201);
    expect((await trusting.inject({ method: 'POST', url: '/api/rooms', payload: body, headers: from('203.0.113.5') })).statusCode).toBe(429);
    expect((await trusting.inject({ url: '/api/address', headers: from('203.0.113.5') })).json()).toMatchObject({ origin: 'https://talk.example.org' });

    const plain = await server({ DUOLOGUE_HTTP_LIMIT: 1 }, () => null);
    expect((await plain.inject({ method: 'POST', url: '/api/rooms', payload: body, headers: from('203.0.113.5') })).statusCode).toBe(201);
    // Untrusted, the header is ignored: the same address (the proxy's) is limited.
    expect((await plain.inject({ method: 'POST', url: '/api/rooms', payload: body, headers: from('203.0.113.6') })).statusCode).toBe(429);
    expect((await plain.inject({ url: '/api/address', headers: from('203.0.113.5') })).json()).toMatchObject({ origin: 'http://talk.example.org' });
  });

  it('knows which names mean this computer only', () => {
    for (const name of ['localhost', 'app.localhost', '127.0.0.1', '127.1.2.3', '[::1]', '::1']) expect(isLoopbackHost(name)).toBe(true);
    for (const name of ['192.168.1.2', 'talk.example.org', '10.0.0.1', 'localhost.example.org']) expect(isLoopbackHost(name)).toBe(false);
  });
});
