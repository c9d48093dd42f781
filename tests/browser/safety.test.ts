import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchPhone, mustRunBrowserTests, type Phone } from './support/chromium';
import { saveScreen, seriousViolations } from './support/screens';
import { startServer, type BrowserTestServer } from './support/server';
import { button, checkIn, createTalk, en, joinTalk, welcomePartner } from './support/talk';

const run = chromiumAvailable || mustRunBrowserTests;

/**
 * Presses Back until the history runs out, and returns every address it landed on that is a
 * Duologue page other than the neutral one (the start, a join link, a room).
 */
async function backFromExit(phone: Phone): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < 6; i += 1) {
    const before = phone.page.url();
    await phone.page.goBack({ waitUntil: 'load' });
    const now = phone.page.url();
    if (now === before) break; // nothing further back
    seen.push(now);
    if (now === 'about:blank') break;
  }
  return seen.filter((url) => url !== 'about:blank' && new URL(url).pathname !== '/notes');
}

describe.skipIf(!run)('safety', () => {
  let server: BrowserTestServer;
  const phones: Phone[] = [];

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    for (const phone of phones) await phone.close();
    await server?.stop();
  });

  it('answers a "no" with support and a quick exit, and never tells the partner', async () => {
    const a = await launchPhone(server.url);
    const b = await launchPhone(server.url);
    phones.push(a, b);
    const link = await createTalk(a, 'Alex');
    await joinTalk(b, link, 'Sam');
    await button(b.page, en.join.now).click();
    await welcomePartner(a, 'Sam');
    await checkIn(a, { calm: 7, tendency: 'unsure', safe: true });
    await checkIn(b, { calm: 3, tendency: 'withdraw', safe: false });

    await b.page.getByRole('heading', { name: en.safety.title }).waitFor();
    // An English phone in London (the test phones' time zone) gets UK lines, and is told why.
    expect(await b.page.locator('a[href="tel:116123"]').count()).toBe(1);
    expect(await b.page.locator('a[href="tel:988"]').count()).toBe(0);
    await b.page.getByText(en.safety.where.replace('{country}', 'United Kingdom')).waitFor();
    await b.page.locator('a[href="https://findahelpline.com"]').waitFor();
    await saveScreen(b.page, '18-safety');
    expect(await seriousViolations(b.page)).toEqual([]);
    // Alex sees only that Sam has not checked in yet; the talk does not open.
    await a.page.getByText(en.checkin.waiting.replace('{name}', 'Sam')).waitFor();
    expect(await a.page.getByText(en.safety.title).count()).toBe(0);
    const roomPath = new URL(b.page.url()).pathname;
    // Sam closes the page without "Leave now": the start screen on Sam's phone leads nobody back
    // to the safety screen in one tap (Alex's still leads Alex to the talk).
    await b.page.goto('/');
    await b.page.getByRole('heading', { name: en.start.title }).waitFor();
    expect(await b.page.locator('[data-test=your-talks]').count()).toBe(0);
    await a.page.goto('/');
    await a.page.locator('[data-test=your-talks]').getByRole('link', { name: en.start.backStarted }).click();
    await b.page.goto(roomPath);
    await b.page.getByRole('heading', { name: en.safety.title }).waitFor();

    await b.page.locator('[data-test=quick-exit]').click();
    await b.page.waitForURL('**/notes');
    await expect.poll(() => b.page.title()).toBe(en.away.title);
    expect(await backFromExit(b)).toEqual([]);
    const { origins } = await b.context.storageState();
    const kept = origins.flatMap((o) => o.localStorage.map((entry) => entry.name)).filter((k) => k.startsWith('duologue:'));
    expect(kept).toEqual([]);
    await b.page.goto(roomPath);
    await b.page.getByText(en.conn.noSeat).waitFor();
    // Still nothing shows on Alex's phone but "waiting".
    await a.page.getByText(en.checkin.waiting.replace('{name}', 'Sam')).waitFor();
  });

  it('leaves no Duologue page behind Back after "Leave now", across a reload too', async () => {
    const a = await launchPhone(server.url);
    const b = await launchPhone(server.url);
    phones.push(a, b);
    const link = await createTalk(a, 'Alex');
    await b.page.goto('/');
    await joinTalk(b, link, 'Sam');
    await button(b.page, en.join.now).click();
    await checkIn(b, { calm: 2, tendency: 'withdraw', safe: false });
    await b.page.getByRole('heading', { name: en.safety.title }).waitFor();
    // A reload puts the room's entry in a document of its own: the exit crosses documents.
    await b.page.reload();
    await b.page.getByRole('heading', { name: en.safety.title }).waitFor();
    await b.page.locator('[data-test=quick-exit]').click();
    await b.page.waitForURL('**/notes');
    await expect.poll(() => b.page.title()).toBe(en.away.title);
    expect(await backFromExit(b)).toEqual([]);
  });

});
