import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumAvailable, launchDevice, mustRunBrowserTests, PHONE, type Phone } from './support/chromium';
import { saveScreen } from './support/screens';
import { startServer, type BrowserTestServer } from './support/server';
import { button, checkIn, createTalk, en, joinTalk, roleOf, welcomePartner } from './support/talk';

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
    await checkIn(a, { calm: 6, tendency: 'pursue', safe: true });
    await fits(b, '4-checkin');
    await checkIn(b, { calm: 5, tendency: 'withdraw', safe: true });
    await expect.poll(() => roleOf(a.page)).toBe(en.dialogue.speaker);
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
    await b.page.locator('[data-test=flood-start]').click();
    await a.page.getByText(en.break.theirs.replace('{name}', 'Sam')).waitFor();
    await fits(a, '7-break-theirs');
    // "I'm ready when they are" shows above the bar without a scroll.
    const ready = await button(a.page, en.break.readyWhenThey).boundingBox();
    expect(ready!.y + ready!.height, 'the ready button ends above the bottom bar').toBeLessThanOrEqual(bar!.y);
    await fits(b, '8-break-mine');
  }, 90_000);
});
