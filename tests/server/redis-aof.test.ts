import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Member } from '../support/member';
import { REDIS_SKIP_REASON, runRedisTests, startRedis, type RedisInstance } from '../support/redis-server';
import { openRoom, startDialogue } from '../support/room-setup';
import { spawnServer, type ServerProcess } from '../support/server-process';
import { tempDataDir } from '../support/test-server';

describe.skipIf(!runRedisTests)(`durability in Redis mode${REDIS_SKIP_REASON}`, () => {
  const data = tempDataDir();
  const servers: ServerProcess[] = [];
  let redis: RedisInstance | undefined;
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.kill('SIGKILL')));
    await redis?.stop();
    data.remove();
  });

  it('keeps an acknowledged command when redis-server is SIGKILLed and started again from its AOF', { timeout: 60_000 }, async () => {
    redis = await startRedis();
    // One protocol minute is 100 ms: the break below lasts 3 s.
    const env = { REDIS_URL: redis.url, DUOLOGUE_DATA_DIR: data.dir, DUOLOGUE_TIME_SCALE: '600' };
    const first = await spawnServer(env);
    servers.push(first);
    const room = await openRoom(first.url, { moderated: true });
    await startDialogue(room);
    await room.A.ok({ type: 'advance', step: 'share' });
    const floodRev = await room.B.ok({ type: 'flood', minutes: 30 });
    const last = await room.moderator!.send({ type: 'note', text: 'Stayed calm.' }, 'aof-note-1');
    expect(last).toEqual({ ok: true, rev: expect.any(Number) });
    const startedAt = room.B.state.break!.startedAt;
    // Killed right after the ack: no shutdown, no save; only what appendfsync always wrote is there.
    await redis.kill('SIGKILL');
    await first.kill('SIGKILL');
    room.close();
    expect(existsSync(join(redis.dir, 'appendonlydir')) && readdirSync(join(redis.dir, 'appendonlydir')).length).toBeGreaterThan(0);

    await redis.restart();
    const second = await spawnServer(env);
    servers.push(second);
    const moderator = await Member.connect(second.url, room.roomId, room.keys.moderator!);
    expect(moderator.state.rev).toBeGreaterThanOrEqual(last.ok ? last.rev : Infinity);
    expect(moderator.state.notes.map((n) => n.text)).toEqual(['Stayed calm.']);
    expect(moderator.state.break).toMatchObject({ by: 'B', startedAt, returnAt: startedAt + 30 * 100 });
    // The deadline came back from Redis too: the break falls due by itself.
    await moderator.until(() => (moderator.state.break?.due === true ? true : undefined), 'the restored deadline');
    expect(moderator.state.rev).toBeGreaterThan(floodRev);
    // A retried command id is still known: the same answer, nothing applied twice.
    expect(await moderator.send({ type: 'note', text: 'Stayed calm.' }, 'aof-note-1')).toEqual(last);
    expect(moderator.state.notes).toHaveLength(1);
    const A = await Member.connect(second.url, room.roomId, room.keys.A!);
    expect(A.state.floor).toMatchObject({ speaker: 'A', step: 'mirror' });
    moderator.close();
    A.close();
  });
});
