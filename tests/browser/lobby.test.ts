import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchPhone, mustRunBrowserTests, type Phone } from './support/chromium';
import { darkScreen, saveScreen, seriousViolations } from './support/screens';
import { startServer, type BrowserTestServer } from './support/server';
import { button, createTalk, en, joinTalk } from './support/talk';

const run = chromiumAvailable || mustRunBrowserTests;

/** A time tomorrow at 19:30, as a `datetime-local` input takes it. */
function tomorrowEvening(): string {
  const d = new Date(Date.now() + 24 * 3600_000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T19:30`;
}

describe.skipIf(!run)('the inviter sees the invited partner arrive and answer', () => {
  let server: BrowserTestServer;
  let a: Phone;
  let b: Phone;

  beforeAll(async () => {
    server = await startServer();
    a = await launchPhone(server.url);
    b = await launchPhone(server.url);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await server?.stop();
  });

  it('shows "Sam is here" on the invite screen at once, before Sam answers anything', async () => {
    const link = await createTalk(a, 'Alex', { topic: 'Sundays' });
    await a.page.getByText(en.invite.waiting).waitFor();
    await joinTalk(b, link, 'Sam');
    // Sam is still deciding whether now is good; Alex's invite screen already knows.
    await a.page.getByRole('heading', { name: en.invite.partnerHere.replace('{name}', 'Sam') }).waitFor();
    expect(await a.page.getByLabel(en.invite.linkLabel).count()).toBe(0);
    expect(await a.page.getByRole('heading', { name: en.checkin.title }).count()).toBe(0);
  });

  it('shows an "another time" answer with its time before anything else, and both phones say when and how to come back', async () => {
    await b.page.getByText(en.join.later).click();
    await b.page.getByLabel(en.join.laterAsk).fill(tomorrowEvening());
    await button(b.page, en.join.propose).click();

    await a.page.getByText(en.invite.anotherTime.replace('{name}', 'Sam')).waitFor();
    const suggestion = a.page.locator('[data-test=they-suggest]');
    await expect.poll(() => suggestion.textContent()).toMatch(/^Sam suggests .*7:30/);
    // Nothing else first: Alex has not been sent to the check-in.
    expect(await a.page.getByRole('heading', { name: en.checkin.title }).count()).toBe(0);
    await saveScreen(a.page, '26-another-time');
    expect(await seriousViolations(a.page)).toEqual([]);
    expect(await darkScreen(a.page, '26-another-time')).toEqual([]);

    await button(a.page, en.time.accept).click();
    for (const phone of [a, b]) {
      await expect.poll(() => phone.page.locator('[data-test=agreed]').textContent()).toMatch(/^Agreed: .*7:30/);
      await phone.page.locator('[data-test=same-link]').getByText(en.time.sameLink).waitFor();
    }
    await saveScreen(b.page, '27-agreed-later');
  });
  it('tells a partner who joins as the inviter calls a break, before "now is good" and on the break screen after it', async () => {
    const link = await createTalk(a, 'Alex', { topic: 'Holidays' });
    await joinTalk(b, link, 'Sam');
    await a.page.getByRole('heading', { name: en.invite.partnerHere.replace('{name}', 'Sam') }).waitFor();
    await a.page.locator('[data-test=flood]').click();
    await a.page.locator('[data-test=flood-start]').click();
    await a.page.getByRole('heading', { name: en.break.mine }).waitFor();

    // Sam is still on "is now a good time?": the break is said there, with its end.
    const onBreak = b.page.locator('[data-test=join-on-break]');
    await expect.poll(() => onBreak.textContent()).toMatch(/^Alex is taking a break until \d{1,2}:\d{2}( [AP]M)?\. Your talk begins after it\.$/);
    await saveScreen(b.page, '26b-join-on-break');
    await button(b.page, en.join.now).click();
    await b.page.getByRole('heading', { name: en.break.theirs.replace('{name}', 'Alex') }).waitFor();
    await b.page.getByText(en.break.checkInAfter.replace('{name}', 'Alex')).waitFor();
    // Alex called the break: the line is Sam's alone.
    expect(await a.page.locator('[data-test=checkin-after]').count()).toBe(0);
    await saveScreen(b.page, '26c-break-before-checkin');
    expect(await seriousViolations(b.page)).toEqual([]);
  });
});
