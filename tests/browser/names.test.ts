import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchPhone, mustRunBrowserTests, type Phone } from './support/chromium';
import { saveScreen, seriousViolations } from './support/screens';
import { startServer, type BrowserTestServer } from './support/server';
import { button, checkIn, createTalk, en, joinTalk, welcomePartner } from './support/talk';
import type { Locator } from 'playwright-core';

const run = chromiumAvailable || mustRunBrowserTests;
/** Right-to-left names, one ending in a digit, which would reorder a sentence around it. */
const NOOR = 'نور';
const LIOR = 'ליאור 2';

/** The sentence's text, and the text of the one `<bdi>` in it. */
async function isolated(sentence: Locator): Promise<{ text: string; bdi: string[] }> {
  await sentence.waitFor();
  return {
    text: ((await sentence.textContent()) ?? '').replace(/\s+/g, ' ').trim(),
    bdi: await sentence.locator('bdi').allTextContents(),
  };
}

describe.skipIf(!run)('names written right to left', () => {
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

  it('are set apart in <bdi> inside every sentence, so the sentence keeps its order', async () => {
    const link = await createTalk(a, NOOR, { topic: 'ימי ראשון' });
    await b.page.goto(link);
    expect(await isolated(b.page.getByRole('heading', { level: 1 }))).toEqual({
      text: en.join.byPartner.replace('{name}', NOOR),
      bdi: [NOOR],
    });
    await joinTalk(b, link, LIOR);
    expect(await b.page.locator('.topic').getAttribute('dir')).toBe('auto');

    expect(await isolated(a.page.getByRole('heading', { level: 1 }))).toEqual({
      text: en.invite.partnerHere.replace('{name}', LIOR),
      bdi: [LIOR],
    });
    expect((await isolated(a.page.locator('[data-test=presence]'))).bdi).toEqual([LIOR]);
    await saveScreen(a.page, '28-rtl-name');
    expect(await seriousViolations(a.page)).toEqual([]);

    await welcomePartner(a, LIOR);
    // A tense check-in (calm 3 or less) gets a gentle word.
    await checkIn(a, { calm: 2, tendency: 'unsure', safe: true });
    await a.page.locator('[data-test=tense]').getByText(en.checkin.tense).waitFor();
    expect(await isolated(a.page.getByText(/^Waiting for/))).toEqual({
      text: en.checkin.waiting.replace('{name}', LIOR),
      bdi: [LIOR],
    });
    // The second to check in goes straight to the dialogue: the gentle word meets them on its first step.
    await button(b.page, en.join.now).click();
    await checkIn(b, { calm: 3, tendency: 'withdraw', safe: true });
    await b.page.locator('[data-test=role-banner]').waitFor();
    await b.page.locator('[data-test=tense]').getByText(en.checkin.tense).waitFor();
    await saveScreen(b.page, '28d-dialogue-tense');
  });

  it("says the server's refusal of a name in the form's own words", async () => {
    await a.page.route('**/api/rooms', (route) =>
      route.fulfill({
        status: 400,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'invalid', message: 'The field "name" is not valid: a name may not hold control or format characters.' } }),
      }),
    );
    await a.page.goto('/');
    await a.page.getByLabel(en.start.name).fill('Alex\u202e');
    await button(a.page, en.start.submit).click();
    await a.page.getByRole('alert').getByText(en.errors.badName).waitFor();
    await a.page.unroute('**/api/rooms');
  });
});
