import { Writable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../server/logger';
import { api } from '../support/api-client';
import { openRoom, startDialogue } from '../support/room-setup';
import { logSink, startServer, tempDataDir, type TestServer } from '../support/test-server';

const { lines, stream: sink } = logSink();
const data = tempDataDir();
let server: TestServer;
beforeAll(async () => {
  server = await startServer({ dataDir: data.dir, logger: createLogger('info', sink) as FastifyBaseLogger });
});
afterAll(async () => {
  await server.close();
  data.remove();
});

type Entry = Record<string, unknown>;
const entries = (): Entry[] => lines.map((l) => JSON.parse(l) as Entry);

describe('the logs', () => {
  it('carry one line per request and per command, and never a name, topic, coach line, note or secret', async () => {
    const room = await openRoom(server.url, { moderated: true, extra: { topic: 'Secret-topic-9931' } });
    await startDialogue(room);
    await room.moderator!.ok({ type: 'coach', to: 'A', text: 'Coach-line-5521' });
    await room.moderator!.ok({ type: 'note', text: 'Note-text-7734' });
    await room.B.send({ type: 'advance', step: 'share' });
    await api(server.url, `/api/rooms/${room.roomId}/summary`, { seatKey: room.keys.A! });

    const commands = entries().filter((e) => e.msg === 'command');
    expect(commands).toContainEqual(
      expect.objectContaining({ roomId: room.roomId, seat: 'moderator', type: 'coach', result: 'ok', ms: expect.any(Number) }),
    );
    expect(commands).toContainEqual(expect.objectContaining({ seat: 'B', type: 'advance', result: 'not_your_turn' }));
    // checkIn A, checkIn B, coach, note, advance.
    expect(commands).toHaveLength(5);

    const requests = entries().filter((e) => e.msg === 'request');
    expect(requests).toContainEqual(
      expect.objectContaining({ method: 'GET', route: '/api/rooms/:roomId/summary', roomId: room.roomId, status: 200 }),
    );
    // Create and two joins, and the summary: one line each.
    expect(requests).toHaveLength(4);

    const text = lines.join('\n');
    for (const secret of ['"Ann"', '"Ben"', '"Mo"', 'Secret-topic-9931', 'Coach-line-5521', 'Note-text-7734', room.keys.A!, room.keys.B!, room.keys.moderator!]) {
      expect(text).not.toContain(secret);
    }
    room.close();
  });
});

describe('the logs at a terminal', () => {
  it('put the line per request and per command at debug, so that a person watching keeps the addresses in view', async () => {
    const { lines: watched, stream: screen } = logSink();
    const dir = tempDataDir();
    const quiet = await startServer({ dataDir: dir.dir, logger: createLogger('info', screen) as FastifyBaseLogger, requestLogLevel: 'debug' });
    const chatty = await startServer({ dataDir: dir.dir, logger: createLogger('debug', screen) as FastifyBaseLogger, requestLogLevel: 'debug' });
    const talk = async (url: string): Promise<void> => {
      const room = await openRoom(url);
      await startDialogue(room);
      await room.A.ok({ type: 'advance', step: 'share' });
      room.close();
    };
    const lines = (msg: string): Entry[] => watched.map((l) => JSON.parse(l) as Entry).filter((e) => e.msg === msg);
    try {
      expect((await api(quiet.url, '/api/health')).status).toBe(200);
      await talk(quiet.url);
      expect(lines('request')).toEqual([]);
      expect(lines('command')).toEqual([]);
      expect((await api(chatty.url, '/api/health')).status).toBe(200);
      expect(lines('request')).toEqual([expect.objectContaining({ level: 20, route: '/api/health', status: 200 })]);
      await talk(chatty.url);
      // checkIn A, checkIn B, advance: at debug, like the requests.
      expect(lines('command')).toEqual([
        expect.objectContaining({ level: 20, type: 'checkIn' }),
        expect.objectContaining({ level: 20, type: 'checkIn' }),
        expect.objectContaining({ level: 20, type: 'advance', result: 'ok' }),
      ]);
    } finally {
      await Promise.all([quiet.close(), chatty.close()]);
      dir.remove();
    }
  });
});

describe('an error a client library decorated', () => {
  it('is logged with its message and code, never with the command it carried', () => {
    const written: string[] = [];
    const out = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written.push(chunk.toString());
        done();
      },
    });
    const log = createLogger('info', out);
    // What ioredis hangs on a failed script or AUTH: the command with its arguments.
    const error = Object.assign(new Error('OOM command not allowed when used memory > maxmemory'), {
      code: 'OOM',
      command: { name: 'evalsha', args: ['sha', '6', '{"topic":"Whose turn the dishes are","names":["Ann"]}'] },
      args: ['AUTH', 'default', 'Redis-pass-829'],
    });
    log.error({ err: error, roomId: 'room-1' }, 'command failed');
    const line = written.join('');
    expect(line).toContain('OOM command not allowed');
    expect(line).toContain('"code":"OOM"');
    expect(line).not.toContain('dishes');
    expect(line).not.toContain('Redis-pass-829');
    expect(line).not.toContain('evalsha');
  });
});
