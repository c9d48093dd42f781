import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appointmentCalendar } from '../../server/http/appointment-calendar';
import { rawRequest } from '../support/raw-http';
import { openRoom, type OpenRoom } from '../support/room-setup';
import { startServer, tempDataDir, type TestServer } from '../support/test-server';

const AT = Date.UTC(2030, 0, 2, 18, 30);
/** The calendar's lines, folded lines joined again (RFC 5545 section 3.1). */
const lines = (ics: string): string[] => ics.replace(/\r\n[ \t]/g, '').split('\r\n');

describe('the calendar file of an agreed time', () => {
  it('carries the room\'s link and a reminder 15 minutes before', () => {
    const ics = lines(appointmentCalendar('R'.repeat(22), AT, `http://192.168.1.20:3000/room/${'R'.repeat(22)}`));
    expect(ics).toContain(`URL:http://192.168.1.20:3000/room/${'R'.repeat(22)}`);
    expect(ics).toContain('DTSTART:20300102T183000Z');
    const alarm = ics.slice(ics.indexOf('BEGIN:VALARM'), ics.indexOf('END:VALARM') + 1);
    expect(alarm).toEqual(expect.arrayContaining(['ACTION:DISPLAY', 'TRIGGER:-PT15M', 'DESCRIPTION:Time to talk']));
  });

  it('leaves the link out when there is none to give', () => {
    const ics = lines(appointmentCalendar('R'.repeat(22), AT, null));
    expect(ics.some((line) => line.startsWith('URL'))).toBe(false);
    expect(ics).toContain('BEGIN:VALARM');
  });
});

describe('GET appointment.ics', () => {
  const data = tempDataDir();
  const publicData = tempDataDir();
  let server: TestServer;
  let behindProxy: TestServer;
  let room: OpenRoom;
  let proxied: OpenRoom;
  const agree = async (r: OpenRoom): Promise<void> => {
    await r.A.ok({ type: 'proposeTime', at: new Date(Date.now() + 86_400_000).toISOString() });
    await r.B.ok({ type: 'acceptTime' });
  };
  beforeAll(async () => {
    server = await startServer({ dataDir: data.dir });
    behindProxy = await startServer({ dataDir: publicData.dir, config: { DUOLOGUE_PUBLIC_URL: 'https://talk.example.org' } });
    room = await openRoom(server.url);
    proxied = await openRoom(behindProxy.url);
    await Promise.all([agree(room), agree(proxied)]);
  });
  afterAll(async () => {
    room.close();
    proxied.close();
    await Promise.all([server.close(), behindProxy.close()]);
    data.remove();
    publicData.remove();
  });

  const calendar = async (base: string, r: OpenRoom, host: string): Promise<{ status: number; ics: string[]; body: string }> => {
    const answer = await rawRequest(
      base,
      `GET /api/rooms/${r.roomId}/appointment.ics HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${r.keys.A}\r\nConnection: close\r\n\r\n`,
    );
    return { status: answer.status, ics: lines(answer.body), body: answer.body };
  };

  it('links to the room on the address the phone used, and carries no secret', async () => {
    const host = new URL(server.url).host;
    for (const name of [host, 'duologue.local:3000', '192.168.1.20:3000', 'localhost']) {
      const { status, ics, body } = await calendar(server.url, room, name);
      expect(status, name).toBe(200);
      expect(ics, name).toContain(`URL:http://${name}/room/${room.roomId}`);
      for (const secret of Object.values(room.keys)) expect(body).not.toContain(secret);
      expect(body).not.toContain('#invite');
    }
  });

  it('leaves the link out when the Host header is not a host name, or one the calendar cannot carry', async () => {
    // The ics package takes no IPv6 literal in a URL.
    for (const name of ['evil.example/phish?x=', 'a b', 'user@evil.example', 'host:99999', '-bad-.example', 'x'.repeat(300), '[fe80::1]:3000']) {
      const { status, ics } = await calendar(server.url, room, name);
      expect(status, name).toBe(200);
      expect(ics.filter((line) => line.startsWith('URL')), name).toEqual([]);
    }
  });

  it('uses the configured public address when there is one', async () => {
    const { ics } = await calendar(behindProxy.url, proxied, 'internal-host:8080');
    expect(ics).toContain(`URL:https://talk.example.org/room/${proxied.roomId}`);
  });
});
