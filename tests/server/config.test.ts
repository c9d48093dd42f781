import { describe, expect, it } from 'vitest';
import { minuteMsFor, readConfig } from '../../server/config';

describe('the configuration', () => {
  it('has the documented defaults', () => {
    const result = readConfig({});
    expect(result).toEqual({
      ok: true,
      config: {
        PORT: 3000,
        HOST: '0.0.0.0',
        DUOLOGUE_DATA_DIR: './data',
        DUOLOGUE_SQLITE_WRITER: 'inline',
        DUOLOGUE_TIME_SCALE: 1,
        DUOLOGUE_ROOM_TTL_DAYS: 30,
        LOG_LEVEL: 'info',
        DUOLOGUE_COMMAND_LIMIT: 50,
        DUOLOGUE_CONNECT_LIMIT: 30,
        DUOLOGUE_HTTP_LIMIT: 60,
        DUOLOGUE_HEADERS_TIMEOUT_MS: 10_000,
        DUOLOGUE_REQUEST_TIMEOUT_MS: 30_000,
        DUOLOGUE_KEEP_ALIVE_TIMEOUT_MS: 5_000,
        DUOLOGUE_CONNECTIONS_PER_ADDRESS: 64,
        DUOLOGUE_TRUST_PROXY: false,
        DUOLOGUE_SIGNAL_LIMIT: 200,
        DUOLOGUE_ICE_SERVERS: [],
        DUOLOGUE_ICE_TRANSPORT_POLICY: 'all',
        DUOLOGUE_HEARTBEAT_MS: 2000,
      },
    });
    expect(minuteMsFor(60)).toBe(1000);
  });

  it('names a bad value and what is wrong with it', () => {
    for (const [name, value] of [
      ['PORT', 'eighty'],
      ['DUOLOGUE_TIME_SCALE', '-2'],
      ['DUOLOGUE_ROOM_TTL_DAYS', '0'],
      ['LOG_LEVEL', 'loud'],
      ['DUOLOGUE_SQLITE_WRITER', 'fast'],
      ['DUOLOGUE_HTTP_LIMIT', '-1'],
      ['DUOLOGUE_CONNECT_LIMIT', '-1'],
      ['DUOLOGUE_ORIGIN', 'not a url'],
      ['DUOLOGUE_REQUEST_TIMEOUT_MS', '0'],
      ['DUOLOGUE_HEADERS_TIMEOUT_MS', 'soon'],
      ['DUOLOGUE_CONNECTIONS_PER_ADDRESS', '-5'],
      ['DUOLOGUE_PUBLIC_URL', 'ftp://talk.example.org'],
      ['DUOLOGUE_TRUST_PROXY', 'the proxy'],
    ] as const) {
      const result = readConfig({ [name]: value });
      expect(result.ok, name).toBe(false);
      if (!result.ok) expect(result.message).toContain(`${name}="${value}" is not valid`);
    }
  });

  it('refuses a headers timeout longer than the request timeout', () => {
    const result = readConfig({ DUOLOGUE_HEADERS_TIMEOUT_MS: '20000', DUOLOGUE_REQUEST_TIMEOUT_MS: '10000' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/DUOLOGUE_HEADERS_TIMEOUT_MS \(20000\) is longer than DUOLOGUE_REQUEST_TIMEOUT_MS/);
  });

  it('keeps only the origin of DUOLOGUE_ORIGIN and DUOLOGUE_PUBLIC_URL', () => {
    const result = readConfig({ DUOLOGUE_ORIGIN: 'https://duologue.example/app/', DUOLOGUE_PUBLIC_URL: 'https://talk.example.org/x?y' });
    expect(result.ok && result.config.DUOLOGUE_ORIGIN).toBe('https://duologue.example');
    expect(result.ok && result.config.DUOLOGUE_PUBLIC_URL).toBe('https://talk.example.org');
  });

  it('takes a redis:// or rediss:// REDIS_URL, and refuses any other', () => {
    const result = readConfig({ REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(result.ok && result.config.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(readConfig({ REDIS_URL: 'rediss://cache.example.org:6380/2' }).ok).toBe(true);
    const wrong = readConfig({ REDIS_URL: 'http://127.0.0.1:6379' });
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) expect(wrong.message).toMatch(/REDIS_URL/);
    // A mistyped URL with its password: the message names the setting, never the value.
    const typo = readConfig({ REDIS_URL: 'valkey://:Redis-pass-829@cache.example.org:6379' });
    expect(typo).toMatchObject({ ok: false, message: expect.stringContaining('REDIS_URL is not valid') });
    if (!typo.ok) expect(typo.message).not.toContain('Redis-pass-829');
  });

  it('takes HTTPS only with both a certificate and a key, and reads the proxy setting', () => {
    expect(readConfig({ DUOLOGUE_TLS_CERT: 'cert.pem' })).toEqual({ ok: false, message: expect.stringContaining('both DUOLOGUE_TLS_CERT and DUOLOGUE_TLS_KEY') });
    expect(readConfig({ DUOLOGUE_TLS_KEY: 'key.pem' })).toMatchObject({ ok: false });
    expect(readConfig({ DUOLOGUE_TLS_CERT: 'cert.pem', DUOLOGUE_TLS_KEY: 'key.pem' })).toMatchObject({ ok: true, config: { DUOLOGUE_TLS_CERT: 'cert.pem' } });
    const proxy = (value: string) => {
      const result = readConfig({ DUOLOGUE_TRUST_PROXY: value });
      return result.ok ? result.config.DUOLOGUE_TRUST_PROXY : result.message;
    };
    expect(proxy('true')).toBe(true);
    expect(proxy('1')).toBe(1);
    expect(proxy('loopback')).toBe('loopback');
    expect(proxy('127.0.0.1, 10.0.0.0/8')).toBe('127.0.0.1,10.0.0.0/8');
  });

  it('reads DUOLOGUE_ICE_SERVERS as JSON and refuses a malformed one without echoing it', () => {
    const good = [{ urls: 'stun:stun.example.org:3478' }, { urls: ['turn:turn.example.org:3478?transport=tcp', 'turns:turn.example.org:5349'], username: 'duo', credential: 'Turn-secret-553' }];
    const read = readConfig({ DUOLOGUE_ICE_SERVERS: JSON.stringify(good) });
    expect(read.ok && read.config.DUOLOGUE_ICE_SERVERS).toEqual(good);
    for (const [value, problem] of [
      ['{not json', 'it is not JSON'],
      ['{"urls":"stun:x"}', 'DUOLOGUE_ICE_SERVERS is not valid'],
      ['[{"urls":"http://turn.example.org","credential":"Turn-secret-553"}]', 'each url must start with stun:, stuns:, turn: or turns:'],
      ['[{"urls":"turn:t.example.org","password":"Turn-secret-553"}]', 'DUOLOGUE_ICE_SERVERS is not valid (at 0)'],
    ] as const) {
      const result = readConfig({ DUOLOGUE_ICE_SERVERS: value });
      expect(result.ok, value).toBe(false);
      if (result.ok) continue;
      expect(result.message).toContain(problem);
      expect(result.message).toContain('It must be a JSON array');
      expect(result.message).not.toContain('Turn-secret-553');
    }
  });
});
