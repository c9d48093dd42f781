import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchPhone, mustRunBrowserTests, type Phone } from './support/chromium';
import { saveScreen } from './support/screens';
import { startServer, type BrowserTestServer } from './support/server';
import { button, checkIn, createTalk, en, joinTalk, welcomePartner } from './support/talk';

const run = chromiumAvailable || mustRunBrowserTests;

describe.skipIf(!run)('a break taken halfway through the check-in', () => {
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

  it("gives back the answers tapped before it, and tells only the one still checking in that it goes on", async () => {
    const link = await createTalk(a, 'Alex');
    await joinTalk(b, link, 'Sam');
    await button(b.page, en.join.now).click();
    await welcomePartner(a, 'Sam');
    await checkIn(a, { calm: 6, tendency: 'pursue', safe: true });

    // Sam answers two of the three questions, then floods before sending.
    await b.page.getByRole('heading', { name: en.checkin.title }).waitFor();
    await b.page.getByRole('radio', { name: '7', exact: true }).check();
    await b.page.getByRole('radio', { name: en.checkin.withdraw }).check();
    await button(b.page, en.flood.button).click();
    await b.page.locator('[data-test=flood-start]').click();
    await b.page.getByRole('heading', { name: en.break.mine }).waitFor();
    await button(a.page, en.break.readyWhenThey).click();

    // The shortest break: 12 s at the browser tests' time scale.
    await b.page.getByRole('heading', { name: en.break.due }).waitFor({ timeout: 25_000 });
    await button(b.page, en.break.ready).click();

    await b.page.getByRole('heading', { name: en.checkin.title }).waitFor();
    await b.page.locator('[data-test=resume-checkin]').waitFor();
    expect(await b.page.getByRole('radio', { name: '7', exact: true }).isChecked()).toBe(true);
    expect(await b.page.getByRole('radio', { name: en.checkin.withdraw }).isChecked()).toBe(true);
    expect(await b.page.getByRole('radio', { name: en.checkin.yes, exact: true }).isChecked()).toBe(false);
    await saveScreen(b.page, '29b-checkin-after-break');

    // Alex had checked in before the break: welcomed back to the waiting screen, with no check-in to go on with.
    await a.page.getByRole('heading', { name: en.checkin.done }).waitFor();
    expect(await a.page.locator('[data-test=resume-checkin]').count()).toBe(0);

    // Sam finishes with one tap, and the talk begins.
    await b.page.getByRole('radio', { name: en.checkin.yes, exact: true }).check();
    await button(b.page, en.checkin.submit).click();
    await b.page.locator('[data-test=role-banner]').waitFor();
  }, 90_000);
});
