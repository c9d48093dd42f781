import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_DIST } from '../../server/client-build';
import { api } from '../support/api-client';
import { startServer, tempDataDir, type TestServer } from '../support/test-server';

const data = tempDataDir();
let server: TestServer;
beforeAll(async () => {
  server = await startServer({ dataDir: data.dir, clientDir: CLIENT_DIST });
});
afterAll(async () => {
  await server.close();
  data.remove();
});

describe('the built client on the same port', () => {
  it('was built by the global setup', () => {
    expect(existsSync(join(CLIENT_DIST, 'index.html'))).toBe(true);
  });

  it('serves index.html for the app and its client routes, with a CSP that allows the app', async () => {
    for (const path of ['/', '/join/AAAAAAAAAAAAAAAAAAAAAA']) {
      const page = await api<string>(server.url, path);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(page.body).toMatch(/<div id="app"|<!doctype html>/i);
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).not.toContain('upgrade-insecure-requests');
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('serves the favicon, the touch icon and the web app manifest that index.html links', async () => {
    const page = await api<string>(server.url, '/');
    for (const [path, type] of [
      ['/favicon.svg', 'image/svg+xml'],
      ['/apple-touch-icon.png', 'image/png'],
      ['/manifest.webmanifest', 'application/manifest+json'],
    ] as const) {
      expect(page.body).toContain(`href="${path}"`);
      const file = await fetch(`${server.url}${path}`);
      expect(file.status, path).toBe(200);
      expect(file.headers.get('content-type'), path).toContain(type);
    }
    const manifest = (await (await fetch(`${server.url}/manifest.webmanifest`)).json()) as { name: string; icons: Array<{ src: string }> };
    expect(manifest.name).toBe('Duologue');
    for (const icon of manifest.icons) expect((await fetch(`${server.url}${icon.src}`)).status, icon.src).toBe(200);
  });

  it('answers a JSON 404 under /api and for missing files', async () => {
    for (const path of ['/api/unknown', '/assets/missing-file.js']) {
      const missing = await api<{ error: { code: string } }>(server.url, path);
      expect(missing.status).toBe(404);
      expect(missing.body.error.code).toBe('not_found');
    }
  });
});
