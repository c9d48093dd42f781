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
        DUOLOGUE_TIME_SCALE: 1,
        DUOLOGUE_ROOM_TTL_DAYS: 30,
        LOG_LEVEL: 'info',
        DUOLOGUE_COMMAND_LIMIT: 50,
        DUOLOGUE_HTTP_LIMIT: 60,
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
      ['DUOLOGUE_HTTP_LIMIT', '-1'],
      ['DUOLOGUE_ORIGIN', 'not a url'],
    ] as const) {
      const result = readConfig({ [name]: value });
      expect(result.ok, name).toBe(false);
      if (!result.ok) expect(result.message).toContain(`${name}="${value}" is not valid`);
    }
  });

  it('keeps only the origin of DUOLOGUE_ORIGIN', () => {
    const result = readConfig({ DUOLOGUE_ORIGIN: 'https://duologue.example/app/' });
    expect(result.ok && result.config.DUOLOGUE_ORIGIN).toBe('https://duologue.example');
  });

  it('refuses REDIS_URL until the Redis store exists', () => {
    const result = readConfig({ REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/REDIS_URL/);
  });
});
