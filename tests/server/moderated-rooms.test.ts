import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateRoomResponse, ErrorBody } from '../../protocol';
import { api, createRoom } from '../support/api-client';
import { Member } from '../support/member';
import { startServer, tempDataDir, type TestServer } from '../support/test-server';

const data = tempDataDir();
let server: TestServer;
beforeAll(async () => {
  server = await startServer({ dataDir: data.dir });
});
afterAll(async () => {
  await server.close();
  data.remove();
});

describe('only a moderator opens a moderated room', () => {
  it('refuses a create body with `moderated`, like any unknown field', async () => {
    for (const moderated of [true, false]) {
      const answer = await api(server.url, '/api/rooms', { json: { name: 'Ann', moderated } });
      expect(answer.status).toBe(400);
      const body = ErrorBody.parse(answer.body);
      expect(body.error.code).toBe('invalid');
      expect(body.error.message).toContain('moderated');
    }
    const asModerator = await api(server.url, '/api/rooms', { json: { name: 'Dr. Weber', as: 'moderator', moderated: true } });
    expect(asModerator.status).toBe(400);
  });

  it("gives a partner's room no moderator invite and no moderator seat", async () => {
    const created = CreateRoomResponse.parse(await createRoom(server.url, { name: 'Ann' }));
    expect(created.seat).toBe('A');
    expect(Object.keys(created.invites)).toEqual(['B']);
    const member = await Member.connect(server.url, created.roomId, created.seatKey);
    expect(member.state.seats.moderator).toBeNull();
    member.close();
  });

  it("gives a moderator's room both partner invites, and its own seat", async () => {
    const created = CreateRoomResponse.parse(await createRoom(server.url, { name: 'Dr. Weber', as: 'moderator' }));
    expect(created.seat).toBe('moderator');
    expect(Object.keys(created.invites).sort()).toEqual(['A', 'B']);
  });
});
