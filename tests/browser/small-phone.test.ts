import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { io } from 'socket.io-client';
import type { CreateRoomResponse } from '../../protocol';
import { chromiumAvailable, launchDevice, mustRunBrowserTests, PHONE, type Phone } from './support/chromium';
import { saveScreen } from './support/screens';
import { startServer, type BrowserTestServer } from './support/server';
import { joinAsPartner } from './support/console';
import { button, checkIn, createTalk, en, joinTalk, roleOf, welcomePartner } from './support/talk';
import de from '../../client/src/i18n/de';
import { openRoom, startDialogue } from '../support/room-setup';

const run = chromiumAvailable || mustRunBrowserTests;

/** The smallest phone still in use: 320 × 568 CSS pixels. */
const SMALL = { ...PHONE, viewport: { width: 320, height: 568 } };
/** A name with no place to break it, the longest a seat takes is longer still. */
const LONG_NAME = 'KonstantinopoulouPapadimitriou';

/** How far the page reaches past the screen's right edge, in CSS pixels (0: nothing to scroll sideways). */
async function overflow(page: Page): Promise<number> {
  return page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document;
    return doc.documentElement.scrollWidth - doc.documentElement.clientWidth;
  });
}

describe.skipIf(!run)('a small phone (320 × 568)', () => {
  let server: BrowserTestServer;
  let a: Phone;
  let b: Phone;

  beforeAll(async () => {
    server = await startServer();
    [a, b] = await Promise.all([launchDevice(server.url, SMALL), launchDevice(server.url, SMALL)]);
  });
  afterAll(async () => {
    await Promise.all([a, b].filter(Boolean).map((phone) => phone.close()));
    await server?.stop();
  });

  /** Each screen fits the width: no sideways scrolling, whatever the names and the topic. */
  async function fits(phone: Phone, name: string): Promise<void> {
    await saveScreen(phone.page, `small-${name}`);
    await saveScreen(phone.page, `small-${name}-whole`, { fullPage: true });
    expect(await overflow(phone.page), `${name} scrolls sideways`).toBe(0);
  }

  it('fits every screen of a talk to the width, with a long unbroken name and topic', async () => {
    const link = await createTalk(a, LONG_NAME, { topic: 'https://example.org/a-very-long-address-without-any-space-in-it' });
    await fits(a, '1-invite');
    await joinTalk(b, link, 'Sam');
    await fits(b, '2-now-ask');
    await a.page.getByRole('heading', { name: en.invite.partnerHere.replace('{name}', 'Sam') }).waitFor();
    await fits(a, '3-partner-here');
    await button(b.page, en.join.now).click();
    await welcomePartner(a, 'Sam');
    // Alex feels tense: the gentle word comes again on the talk's first step, under the step.
    await checkIn(a, { calm: 2, tendency: 'pursue', safe: true });
    await fits(b, '4-checkin');
    await checkIn(b, { calm: 5, tendency: 'withdraw', safe: true });
    await expect.poll(() => roleOf(a.page)).toBe(en.dialogue.speaker);
    await a.page.locator('[data-test=tense]').getByText(en.checkin.tense).waitFor();
    await fits(a, '5-speaker');
    // The speaker's button shows whole above the bottom bar, with no scroll.
    expect(await a.page.evaluate(() => (globalThis as unknown as { scrollY: number }).scrollY)).toBe(0);
    const action = await button(a.page, en.dialogue.action.share).boundingBox();
    const bar = await a.page.locator('nav.footer').boundingBox();
    expect(action, 'the step button').not.toBeNull();
    expect(action!.y + action!.height, 'the step button ends above the bottom bar').toBeLessThanOrEqual(bar!.y);
    // The listener's screen opens at its top too, though the check-in was sent from the form's bottom.
    await expect.poll(() => roleOf(b.page)).toBe(en.dialogue.listener);
    await expect.poll(() => b.page.evaluate(() => (globalThis as unknown as { scrollY: number }).scrollY)).toBe(0);
    await fits(b, '6-listener');
    // The check's three answers all show above the bar too.
    await button(a.page, en.dialogue.action.share).click();
    await button(b.page, en.dialogue.action.mirror).click();
    const last = await button(a.page, en.dialogue.checkComplete).boundingBox();
    await fits(a, '5b-check');
    expect(last!.y + last!.height, 'the last answer ends above the bottom bar').toBeLessThanOrEqual(bar!.y);
    await button(b.page, en.flood.button).click();
    // The break sheet's "Start the break" shows whole without a scroll, under its five lengths.
    const start = b.page.locator('[data-test=flood-start]');
    await start.waitFor();
    await fits(b, '7a-flood-sheet');
    const startBox = (await start.boundingBox())!;
    expect(startBox.y + startBox.height, 'the start button ends on the screen').toBeLessThanOrEqual(SMALL.viewport.height);
    expect(startBox.y).toBeGreaterThan(0);
    await start.click();
    await a.page.getByText(en.break.theirs.replace('{name}', 'Sam')).waitFor();
    await fits(a, '7-break-theirs');
    // "I'm ready when they are" shows above the bar without a scroll.
    const ready = await button(a.page, en.break.readyWhenThey).boundingBox();
    expect(ready!.y + ready!.height, 'the ready button ends above the bottom bar').toBeLessThanOrEqual(bar!.y);
    await fits(b, '8-break-mine');
  }, 90_000);

  /** Where an element ends and where the bottom bar begins, on a phone's page. */
  async function endsAboveBar(page: Page, name: string): Promise<{ end: number; bar: number }> {
    const box = await button(page, name).boundingBox();
    const bar = await page.locator('nav.footer').boundingBox();
    return { end: box!.y + box!.height, bar: bar!.y };
  }

  it("keeps the step's button in view in a therapist's room, with the therapist's line and a coaching card", async () => {
    // The therapist's room is opened and watched over the API (their console is a laptop's page).
    const response = await fetch(`${server.url}/api/rooms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Dr. Weber', as: 'moderator', topic: 'Weekends', method: 'imago' }),
    });
    expect(response.status).toBe(201);
    const created = (await response.json()) as CreateRoomResponse;
    const therapist = io(server.url, { auth: { roomId: created.roomId, seatKey: created.seatKey }, transports: ['websocket'], forceNew: true });
    try {
      await joinAsPartner(a, `${server.url}/join/${created.roomId}#invite=${created.invites.A!}`, 'Alex');
      await joinAsPartner(b, `${server.url}/join/${created.roomId}#invite=${created.invites.B!}`, 'Sam');
      await checkIn(a, { calm: 6, tendency: 'pursue', safe: true });
      await checkIn(b, { calm: 5, tendency: 'withdraw', safe: true });
      await expect.poll(() => roleOf(a.page)).toBe(en.dialogue.speaker);
      // The therapist's line is in the role banner, as short as the partner's beside it.
      const banner = a.page.locator('[data-test=role-banner]');
      await banner.locator('[data-test=therapist]').getByText(`Dr. Weber, ${en.common.online}`).waitFor();
      await fits(a, '9-moderated-speaker');
      const bannerTop = (await banner.boundingBox())!.y;
      const plain = await endsAboveBar(a.page, en.dialogue.action.share);
      expect(plain.end, "the speaker's button ends above the bottom bar").toBeLessThanOrEqual(plain.bar);

      // A coaching line comes under the banner; the banner stays where it was.
      const line = 'Take your time, Alex. Start with one evening.';
      const ack = (await therapist.timeout(10_000).emitWithAck('command', { id: 'coach-small-1', type: 'coach', to: 'A', text: line })) as { ok: boolean };
      expect(ack.ok).toBe(true);
      const card = a.page.locator('[data-test=coach-card]');
      await card.getByText(line).waitFor();
      await fits(a, '10-moderated-coach');
      expect((await banner.boundingBox())!.y, 'the banner stays where it was').toBe(bannerTop);
      expect((await card.boundingBox())!.y, 'the card comes after the banner').toBeGreaterThan(bannerTop);
      await card.getByRole('button', { name: en.moderated.coachDismiss }).click();
      await expect.poll(() => card.count()).toBe(0);
      const after = await endsAboveBar(a.page, en.dialogue.action.share);
      expect(after.end, "once put away, the speaker's button is back above the bar").toBeLessThanOrEqual(after.bar);
    } finally {
      therapist.disconnect();
    }
  }, 90_000);

  it("keeps the step's button in view on a German phone in a therapist's room, a coaching card included", async () => {
    // German words are longer: the banner, the step's prompt and the bar each take more lines.
    const room = await openRoom(server.url, { moderated: true });
    let german: Phone | undefined;
    try {
      await startDialogue(room);
      room.A.close();
      german = await launchDevice(server.url, SMALL, { locale: 'de-DE', timezoneId: 'Europe/Berlin' });
      const record = JSON.stringify({ seat: 'A', seatKey: room.keys.A });
      await german.context.addInitScript({ content: `localStorage.setItem(${JSON.stringify(`duologue:seat:${room.roomId}`)}, ${JSON.stringify(record)});` });
      await german.page.goto(`/room/${room.roomId}`);
      const page = german.page;
      await page.locator('[data-test=role-banner] [data-test=therapist]').waitFor();
      await expect.poll(() => roleOf(page)).toBe(de.dialogue.speaker);
      await fits(german, '11-moderated-speaker-de');
      const plain = await endsAboveBar(page, de.dialogue.action.share);
      expect(plain.end, "the speaker's button ends above the bottom bar").toBeLessThanOrEqual(plain.bar);

      // A coaching line comes first, as in English; once put away, the step's button is back above the bar.
      await room.moderator!.ok({ type: 'coach', to: 'A', text: 'Nimm dir Zeit. Fang mit einem Abend an, nicht mit allen.' });
      const card = page.locator('[data-test=coach-card]');
      await card.waitFor();
      await fits(german, '12-moderated-coach-de');
      await card.getByRole('button', { name: de.moderated.coachDismiss }).click();
      await expect.poll(() => card.count()).toBe(0);
      const after = await endsAboveBar(page, de.dialogue.action.share);
      expect(after.end, "once put away, the speaker's button is back above the bar").toBeLessThanOrEqual(after.bar);

      // The check's three answers, longer in German, all show above the bar without a scroll.
      await button(page, de.dialogue.action.share).click();
      await room.B.ok({ type: 'advance', step: 'mirror' });
      await button(page, de.dialogue.checkComplete).waitFor();
      await fits(german, '13-moderated-check-de');
      expect(await page.evaluate(() => (globalThis as unknown as { scrollY: number }).scrollY)).toBe(0);
      const last = await endsAboveBar(page, de.dialogue.checkComplete);
      expect(last.end, 'the last answer ends above the bottom bar').toBeLessThanOrEqual(last.bar);

      // The therapist ends the session: the summary no longer says they are with the couple.
      await room.moderator!.ok({ type: 'end' });
      await page.getByRole('heading', { name: de.summary.title }).waitFor();
      const therapistLine = page.locator('[data-test=therapist]');
      await therapistLine.locator('[data-test=therapist-guided]').waitFor();
      expect(await therapistLine.textContent()).not.toContain('gerade da');
      // "Delete this talk" sits at the foot of the long summary; its question comes into view whole,
      // both buttons included, and says that the therapist's notes go too.
      await button(page, de.summary.delete).click();
      const question = page.locator('[data-test=delete-question]');
      await expect.poll(async () => (await question.textContent())?.replace(/\s+/g, ' ').trim()).toBe(de.summary.deleteConfirmTherapist.replace('{name}', 'Mo'));
      const inView = async (name: string): Promise<boolean> => {
        const box = await button(page, name).boundingBox();
        return box !== null && box.y >= 0 && box.y + box.height <= SMALL.viewport.height;
      };
      await expect.poll(() => inView(de.summary.deleteYes), { message: 'the "delete" button shows without a scroll' }).toBe(true);
      await expect.poll(() => inView(de.flood.cancel), { message: 'the cancel button shows without a scroll' }).toBe(true);
      await fits(german, '14-moderated-delete-de');
    } finally {
      await german?.close();
      room.close();
    }
  }, 90_000);
  it("keeps a two-word name to its words in the summary's table", async () => {
    const response = await fetch(`${server.url}/api/rooms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Dr. Weber', as: 'moderator', method: 'imago' }),
    });
    const created = (await response.json()) as CreateRoomResponse;
    const therapist = io(server.url, { auth: { roomId: created.roomId, seatKey: created.seatKey }, transports: ['websocket'], forceNew: true });
    try {
      await joinAsPartner(a, `${server.url}/join/${created.roomId}#invite=${created.invites.A!}`, 'Sam');
      await joinAsPartner(b, `${server.url}/join/${created.roomId}#invite=${created.invites.B!}`, 'Maria José');
      const ack = (await therapist.timeout(10_000).emitWithAck('command', { id: 'end-small-names', type: 'end' })) as { ok: boolean };
      expect(ack.ok).toBe(true);
      const heading = a.page.locator('table.figures thead th').last();
      await heading.getByText('Maria José').waitFor();
      await fits(a, '15-summary-names');
      // The lines the name takes: one per word, not "Mari / a / José".
      const lines = await heading.locator('bdi').evaluate((bdi) => {
        const range = (bdi.ownerDocument as unknown as { createRange(): { selectNodeContents(n: unknown): void; getClientRects(): { length: number } } }).createRange();
        range.selectNodeContents(bdi.firstChild);
        return range.getClientRects().length;
      });
      expect(lines).toBeLessThanOrEqual(2);
    } finally {
      therapist.disconnect();
    }
  }, 60_000);
  it("keeps the call button to one line and the banner's line about the partner to two, with long names", async () => {
    const ana = 'Maximiliane Alexandra von Hohenberg';
    const ben = 'Bartholomew Christopher Montgomery';
    const link = await createTalk(a, ana, { topic: 'Sundays' });
    await joinTalk(b, link, ben);
    await button(b.page, en.join.now).click();
    await welcomePartner(a, ben);
    await checkIn(a, { calm: 6, tendency: 'pursue', safe: true });
    await checkIn(b, { calm: 5, tendency: 'withdraw', safe: true });
    await expect.poll(() => roleOf(b.page)).toBe(en.dialogue.listener);
    await fits(b, '16-long-names');
    // The name is cut short to the eye, and said whole to a screen reader.
    const call = button(b.page, en.call.start.replace('{name}', ana));
    const lines = async (locator: ReturnType<Page['locator']>): Promise<number> => {
      const lineHeight = await locator.evaluate((el) => parseFloat((globalThis as unknown as { getComputedStyle(e: unknown): { lineHeight: string } }).getComputedStyle(el).lineHeight));
      return (await locator.boundingBox())!.height / lineHeight;
    };
    expect(await call.count()).toBe(1);
    const presence = b.page.locator('[data-test=role-banner] [data-test=presence]');
    expect(await presence.textContent()).toContain(ana);
    expect(await lines(b.page.locator('[data-test=call-start] .label')), "the call button's words").toBeLessThan(1.5);
    expect(await lines(presence), 'the line about Ana').toBeLessThan(2.5);
  }, 90_000);
});
