import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody } from '../../protocol';
import { CLIENT_DIST } from '../../server/client-build';
import { api, createRoom } from '../support/api-client';
import { rawRequest, type RawAnswer } from '../support/raw-http';
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

/** The headers helmet puts on every answer of the app. */
function expectSecurityHeaders(headers: Record<string, string>, what: string): void {
  expect(headers['content-security-policy'], what).toContain("default-src 'self'");
  expect(headers['content-security-policy'], what).toContain("frame-ancestors 'self'");
  expect(headers['x-content-type-options'], what).toBe('nosniff');
  expect(headers['x-frame-options'], what).toBe('SAMEORIGIN');
  expect(headers['referrer-policy'], what).toBe('no-referrer');
  expect(headers['cross-origin-opener-policy'], what).toBe('same-origin');
  expect(headers['x-powered-by'], what).toBeUndefined();
}

/** The API's one error shape, a sentence true to `cause`, and nothing of the request in it. */
function expectApiError(answer: RawAnswer, status: number, code: string, cause: RegExp, echoes: string[], what: string): void {
  expect(answer.status, what).toBe(status);
  expect(answer.headers['content-type'], what).toMatch(/^application\/json/);
  const body = ErrorBody.parse(JSON.parse(answer.body));
  expect(body.error.code, what).toBe(code);
  expect(body.error.message, what).toMatch(/^[A-Z].{10,}[.!]$/);
  expect(body.error.message, what).toMatch(cause);
  for (const piece of echoes) expect(answer.body, what).not.toContain(piece);
  expectSecurityHeaders(answer.headers, what);
}

const headersOf = (response: Response): Record<string, string> => Object.fromEntries(response.headers.entries());

async function fetched(path: string, init?: RequestInit): Promise<RawAnswer> {
  const response = await fetch(`${server.url}${path}`, init);
  return { status: response.status, headers: headersOf(response), body: await response.text() };
}

describe('every answer is the API\'s error', () => {
  it('answers an address with a broken %-escape in the API\'s shape, echoing nothing of it', async () => {
    const cases: Array<[string, string[]]> = [
      ['/api/rooms/x%E0%A4%A/summary', ['%E0', 'x%E0%A4%A', 'summary']],
      ['/join/x%ff', ['x%ff', '%ff', 'join']],
      ['/join/%3Csvg%20onload=alert(1)%3E%ff', ['svg', 'onload', 'alert', '%3C']],
      ['/api/rooms/%ZZ/join', ['%ZZ']],
    ];
    for (const [path, echoes] of cases) {
      const answer = await rawRequest(server.url, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
      expectApiError(answer, 400, 'invalid', /address/i, echoes, path);
    }
  });

  it('answers a path the static files refuse as nothing at this address, not as a JSON problem', async () => {
    for (const path of ['//api/health', '//api/rooms/abc/summary', '/assets/%00x.js', '//']) {
      const answer = await fetched(path);
      expect(answer.body, path).not.toMatch(/JSON/);
      expect([400, 404], path).toContain(answer.status);
      expectApiError(answer, answer.status, answer.status === 404 ? 'not_found' : 'invalid', /address/i, ['%00', 'assets'], path);
    }
  });

  it('answers 404, 413 and 415 in the same shape with the security headers', async () => {
    expectApiError(await fetched('/api/nothing-here'), 404, 'not_found', /nothing at this address/, ['nothing-here'], '404');
    const big = JSON.stringify({ name: 'Ann', topic: 'x'.repeat(17_000) });
    expectApiError(
      await fetched('/api/rooms', { method: 'POST', headers: { 'content-type': 'application/json' }, body: big }),
      413,
      'invalid',
      /too large/,
      ['xxxx'],
      '413',
    );
    expectApiError(
      await fetched('/api/rooms', { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<name>Ann</name>' }),
      415,
      'invalid',
      /JSON/,
      ['xml', 'Ann'],
      '415',
    );
    expectApiError(
      await fetched('/api/rooms', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"Ann-Echo",' }),
      400,
      'invalid',
      /not valid JSON/,
      ['Ann-Echo'],
      'broken JSON',
    );
  });

  it('answers a request the HTTP parser refuses in the API\'s shape', async () => {
    const key = 'SeatKeySeatKeySeatKey0';
    const cases: Array<[string, string, number, RegExp]> = [
      [
        'a bad header token after the seat key',
        `GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\nBad Header: x\r\n\r\n`,
        400,
        /HTTP/,
      ],
      [
        'Content-Length with Transfer-Encoding',
        'POST /api/rooms/abc/join HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 38\r\n' +
          'Transfer-Encoding: chunked\r\n\r\n{"invite":"InviteCodeXX","name":"Ann"}',
        400,
        /HTTP/,
      ],
      ['a request line that is not HTTP', 'HELLO THERE\r\n\r\n', 400, /HTTP/],
      [
        'headers over the limit',
        `GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\nX-Filler: ${'a'.repeat(20_000)}\r\n\r\n`,
        431,
        /headers are too large/,
      ],
    ];
    for (const [what, text, status, cause] of cases) {
      const answer = await rawRequest(server.url, text);
      expectApiError(answer, status, 'invalid', cause, [key, 'InviteCode', 'Bad Header', 'aaaa'], what);
      expect(answer.headers.connection, what).toBe('close');
    }
    // The server is still there for everyone else.
    expect((await api(server.url, '/api/health')).status).toBe(200);
  });

  it('answers a room id too long to exist as a room that does not exist', async () => {
    const created = await createRoom(server.url, { name: 'Ann' });
    const answer = await fetched(`/api/rooms/${'A'.repeat(120)}/summary`, { headers: { authorization: `Bearer ${created.seatKey}` } });
    expectApiError(answer, 404, 'room_not_found', /does not exist/, ['AAAAAAAAAA'], 'a 120-character room id');
  });
});
