import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../support/api-client';
import { startServer, tempDataDir, type TestServer } from '../support/test-server';

const ORIGIN = 'https://duologue.example';
const data = tempDataDir();
const plainData = tempDataDir();
let server: TestServer;
let plain: TestServer;
beforeAll(async () => {
  server = await startServer({ dataDir: data.dir, config: { DUOLOGUE_ORIGIN: ORIGIN } });
  plain = await startServer({ dataDir: plainData.dir });
});
afterAll(async () => {
  await Promise.all([server.close(), plain.close()]);
  data.remove();
  plainData.remove();
});

describe('cross-origin requests', () => {
  it('are allowed from DUOLOGUE_ORIGIN alone', async () => {
    const allowed = await api(server.url, '/api/health', { headers: { origin: ORIGIN } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    // A page on that origin may read a refusal's Retry-After, to say how long to wait.
    expect(allowed.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('retry-after');
    const other = await api(server.url, '/api/health', { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await api(server.url, '/api/rooms', {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
  });

  it('are not allowed at all without it', async () => {
    const response = await api(plain.url, '/api/health', { headers: { origin: ORIGIN } });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});
