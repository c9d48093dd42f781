import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createRoom, joinRoom } from '../support/api-client';
import { Member } from '../support/member';
import { chromiumAvailable, launchPhone, mustRunBrowserTests, type Phone } from './support/chromium';
import { darkScreen, saveScreen, seriousViolations } from './support/screens';
import { startServer, type BrowserTestServer } from './support/server';
import { button, createTalk, en, joinTalk } from './support/talk';

const run = chromiumAvailable || mustRunBrowserTests;

/** The phone's stored seats, as `duologue:seat:<roomId>` → record. */
async function storedSeats(phone: Phone): Promise<Record<string, { seatKey: string }>> {
  const { origins } = await phone.context.storageState();
  const entries = origins.flatMap((o) => o.localStorage).filter((e) => e.name.startsWith('duologue:seat:'));
  return Object.fromEntries(entries.map((e) => [e.name.slice('duologue:seat:'.length), JSON.parse(e.value) as { seatKey: string }]));
}

describe.skipIf(!run)('dead ends lead somewhere', () => {
  let server: BrowserTestServer;
  const phones: Phone[] = [];
  async function phone(): Promise<Phone> {
    const p = await launchPhone(server.url);
    phones.push(p);
    return p;
  }
  const inviteLink = (roomId: string, code: string) => `/join/${roomId}#invite=${code}`;

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    for (const p of phones) await p.close();
    await server?.stop();
  });

  it('says a deleted talk is gone at its invite link and its room address, before asking a name', async () => {
    const created = await createRoom(server.url, { name: 'Alex' });
    expect((await api(server.url, `/api/rooms/${created.roomId}`, { method: 'DELETE', seatKey: created.seatKey })).status).toBe(204);
    const b = await phone();
    await b.page.goto(inviteLink(created.roomId, created.invites.B!));
    await b.page.getByText(en.conn.room_not_found).waitFor();
    expect(await b.page.getByLabel(en.join.name).count()).toBe(0);
    await b.page.getByRole('link', { name: en.summary.newTalk }).waitFor();
    await saveScreen(b.page, '22-join-deleted');
    expect(await seriousViolations(b.page)).toEqual([]);

    // A phone that held a seat there hears the same at the room's address.
    const a = await phone();
    await a.page.goto('/');
    await a.page.evaluate(
      ([id, key]) => (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem(`duologue:seat:${id}`, JSON.stringify({ seat: 'A', seatKey: key })),
      [created.roomId, created.seatKey],
    );
    await a.page.goto(`/room/${created.roomId}`);
    await a.page.getByText(en.conn.room_not_found).waitFor();
  });

  it('says an ended talk has ended at its unused invite link, before asking a name', async () => {
    const created = await createRoom(server.url, { name: 'Dr. Weber', as: 'moderator' });
    const moderator = await Member.connect(server.url, created.roomId, created.seatKey);
    await moderator.ok({ type: 'end' });
    moderator.close();
    const a = await phone();
    await a.page.goto(inviteLink(created.roomId, created.invites.A!));
    await a.page.getByText(en.join.ended).waitFor();
    expect(await a.page.getByLabel(en.join.name).count()).toBe(0);
  });

  it('tells whoever opens a used invite what they can do, never to ask for a new one', async () => {
    const created = await createRoom(server.url, { name: 'Alex' });
    await joinRoom(server.url, created.roomId, created.invites.B!, 'Sam');
    const c = await phone();
    await c.page.goto(inviteLink(created.roomId, created.invites.B!));
    await c.page.getByText(en.join.used).waitFor();
    await c.page.getByText(en.join.usedWhat.replace('{name}', 'Alex')).waitFor();
    expect(await c.page.getByText(/for a new one/).count()).toBe(0);
    expect(await c.page.getByLabel(en.join.name).count()).toBe(0);
    await saveScreen(c.page, '23-join-used');
    // A reload says the same, not that the link lacks its code.
    await c.page.reload();
    await c.page.getByText(en.join.usedWhat.replace('{name}', 'Alex')).waitFor();

    // A phone with no seat at the room's address is told how to bring its place over.
    await c.page.goto(`/room/${created.roomId}`);
    await c.page.getByText(en.conn.noSeat).waitFor();
    expect(await c.page.getByText(/for a new one/).count()).toBe(0);
  });

  it('lets the one who started a talk delete it before it begins, as the used-invite screen tells a stranger', async () => {
    const a = await phone();
    const link = await createTalk(a, 'Alex');
    const url = new URL(link);
    const roomId = url.pathname.split('/').at(-1)!;
    // Someone else took the partner's place with the invite.
    const stranger = await joinRoom(server.url, roomId, new URLSearchParams(url.hash.slice(1)).get('invite')!, 'Kim');
    await a.page.getByRole('heading', { name: en.invite.partnerHere.replace('{name}', 'Kim') }).waitFor();
    // Alex went on to the check-in before noticing: the way to delete is there too.
    await button(a.page, en.invite.checkIn).click();
    await a.page.getByRole('heading', { name: en.checkin.title }).waitFor();
    await button(a.page, en.summary.delete).click();
    await a.page.getByText(en.summary.deleteConfirm).waitFor();
    await saveScreen(a.page, '23b-lobby-delete');
    expect(await seriousViolations(a.page)).toEqual([]);
    await a.page.locator('[data-test=delete-yes]').click();
    await a.page.locator('[data-test=deleted]').getByText(en.start.deleted).waitFor();
    // The room is gone for the stranger's key too.
    expect((await api(server.url, `/api/rooms/${roomId}/summary`, { seatKey: stranger.seatKey })).status).toBe(404);
    expect(Object.keys(await storedSeats(a))).not.toContain(roomId);
  });

  it('says a link without its invite, or with only part of it, does not work, and leads to a new talk', async () => {
    const created = await createRoom(server.url, { name: 'Alex' });
    const c = await phone();
    await c.page.goto(`/join/${created.roomId}`);
    await c.page.getByText(en.join.noInvite).waitFor();
    await c.page.getByRole('link', { name: en.summary.newTalk }).waitFor();
    // Cut short on its way: not an invite's shape. A new try would not mend it, so none is offered.
    // (A page load of its own: a change of the fragment alone would not load the page again.)
    await c.page.goto('about:blank');
    await c.page.goto(inviteLink(created.roomId, created.invites.B!.slice(0, 6)));
    await c.page.locator('[data-test=join-dead-end]').getByText(en.errors.invite_invalid).waitFor();
    expect(await c.page.getByRole('button', { name: en.join.retry }).count()).toBe(0);
    // The room id cut short: a link that does not work, not a talk someone deleted.
    await c.page.goto('about:blank');
    await c.page.goto(inviteLink(created.roomId.slice(0, 16), created.invites.B!));
    await c.page.locator('[data-test=join-dead-end]').getByText(en.errors.invite_invalid).waitFor();
    expect(await c.page.getByText(en.conn.room_not_found).count()).toBe(0);
    await c.page.getByRole('link', { name: en.summary.newTalk }).click();
    await c.page.getByRole('heading', { name: en.start.title }).waitFor();
  });

  it('leads back from the start screen to the talk this phone started or joined, and forgets one that is gone', async () => {
    const a = await phone();
    const b = await phone();
    const link = await createTalk(a, 'Alex');
    await joinTalk(b, link, 'Sam');
    const roomId = new URL(link).pathname.split('/').at(-1)!;
    // Later, from the home screen (an installed app opens there): no link needed.
    for (const [p, label] of [
      [a, en.start.backStarted],
      [b, en.start.backJoined],
    ] as const) {
      await p.page.goto('/');
      await p.page.locator('[data-test=your-talks]').getByRole('link', { name: label }).click();
      await expect.poll(() => new URL(p.page.url()).pathname).toBe(`/room/${roomId}`);
    }
    await a.page.getByRole('heading', { name: en.invite.partnerHere.replace('{name}', 'Sam') }).waitFor();
    await a.page.goto('/');
    await saveScreen(a.page, '23c-start-your-talk');
    expect(await seriousViolations(a.page)).toEqual([]);

    // The room goes (deleted from elsewhere while this phone was away): the way back leads to
    // "gone" once, and then the start screen no longer offers it.
    const key = (await storedSeats(a))[roomId]!.seatKey;
    expect((await api(server.url, `/api/rooms/${roomId}`, { method: 'DELETE', seatKey: key })).status).toBe(204);
    await a.page.locator('[data-test=your-talks]').getByRole('link', { name: en.start.backStarted }).click();
    await a.page.getByText(en.conn.room_not_found).waitFor();
    expect(Object.keys(await storedSeats(a))).not.toContain(roomId);
    await a.page.goto('/');
    await a.page.getByRole('heading', { name: en.start.title }).waitFor();
    expect(await a.page.locator('[data-test=your-talks]').count()).toBe(0);
  });

  it("names a therapist as the therapist, with the other partner, never as 'your partner'", async () => {
    const created = await createRoom(server.url, { name: 'Dr. Weber', as: 'moderator' });
    await joinRoom(server.url, created.roomId, created.invites.B!, 'Sam');
    const a = await phone();
    await a.page.goto(inviteLink(created.roomId, created.invites.A!));
    await a.page.getByRole('heading', { name: en.join.byTherapistWith.replace('{name}', 'Dr. Weber').replace('{partner}', 'Sam') }).waitFor();
    await a.page.getByText(en.join.bodyTherapist).waitFor();
    expect(await a.page.getByText(/your partner/i).count()).toBe(0);
    await saveScreen(a.page, '24-join-therapist');
    expect(await seriousViolations(a.page)).toEqual([]);
  });

  it('keeps an invite through a reload before joining', async () => {
    const created = await createRoom(server.url, { name: 'Alex' });
    const b = await phone();
    await b.page.goto(inviteLink(created.roomId, created.invites.B!));
    await b.page.getByRole('heading', { name: en.join.byPartner.replace('{name}', 'Alex') }).waitFor();
    expect(b.page.url()).not.toContain('#');
    await b.page.reload();
    await b.page.getByRole('heading', { name: en.join.byPartner.replace('{name}', 'Alex') }).waitFor();
    await b.page.getByLabel(en.join.name).fill('Sam');
    await button(b.page, en.join.submit).click();
    await b.page.getByRole('heading', { name: en.join.nowAsk }).waitFor();
    // Claimed: the tab keeps the code no longer.
    const kept = await b.page.evaluate(() => Object.keys((globalThis as unknown as { sessionStorage: object }).sessionStorage));
    expect(kept.filter((k) => k.startsWith('duologue:invite:'))).toEqual([]);
  });

  it("gives each seat its own link for another device, which opens that seat and leaves the address bar", async () => {
    const a = await phone();
    await createTalk(a, 'Alex');
    const roomId = new URL(a.page.url()).pathname.split('/').at(-1)!;
    const ownKey = (await storedSeats(a))[roomId]!.seatKey;
    await a.page.locator('[data-test=seat-link] summary').click();
    await a.page.getByText(en.seatLink.warning).waitFor();
    const seatLink = await a.page.getByLabel(en.seatLink.label).inputValue();
    expect(seatLink).toBe(`${server.url}/room/${roomId}#key=${ownKey}`);
    await saveScreen(a.page, '25-seat-link');
    expect(await seriousViolations(a.page)).toEqual([]);
    expect(await darkScreen(a.page, '25-seat-link')).toEqual([]);

    const laptop = await phone();
    await laptop.page.goto(seatLink);
    // Alex's own place: the private check-in, which can be answered before Sam comes.
    await laptop.page.getByRole('heading', { name: en.checkin.title }).waitFor();
    expect(laptop.page.url()).toBe(`${server.url}/room/${roomId}`);
    expect((await storedSeats(laptop))[roomId]?.seatKey).toBe(ownKey);
    // The seat learned which it is from the first state.
    await expect.poll(async () => (await laptop.context.storageState()).origins[0]?.localStorage.find((e) => e.name === `duologue:seat:${roomId}`)?.value).toContain('"seat":"A"');
  });
});
