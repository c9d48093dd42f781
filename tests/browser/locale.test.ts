import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import de from '../../client/src/i18n/de';
import { chromiumAvailable, launchPhone, mustRunBrowserTests, type Phone } from './support/chromium';
import { saveScreen, seriousViolations } from './support/screens';
import { startServer, type BrowserTestServer } from './support/server';
import { en } from './support/talk';

const run = chromiumAvailable || mustRunBrowserTests;
// The run's screenshots go to test-results/screens/; docs/screens/ holds a chosen set, copied by hand.

describe.skipIf(!run)('a phone whose browser prefers German', () => {
  let server: BrowserTestServer;
  let phone: Phone;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    server = await startServer();
    phone = await launchPhone(server.url, { locale: 'de-DE', timezoneId: 'Europe/Berlin' });
    ({ context, page } = phone);
    // Notes every English heading the page ever shows, to catch a first frame in English.
    // (A script in text: the tests are type-checked without the DOM's types.)
    await context.addInitScript({
      content: `window.englishSeen = [];
        new MutationObserver(() => {
          if (document.body && document.body.textContent.includes(${JSON.stringify(en.start.title)})) window.englishSeen.push('seen');
        }).observe(document, { childList: true, subtree: true, characterData: true });`,
    });
  });
  afterAll(async () => {
    await phone?.close();
    await server?.stop();
  });

  it('opens the start page in German, with no English first frame', async () => {
    await page.goto('/');
    await page.getByRole('heading', { name: de.start.title }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('de');
    expect(await page.evaluate('window.englishSeen')).toEqual([]);
    await page.getByText(de.app.aid).waitFor();
    await saveScreen(page, '20-start-de');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('creates a talk in German and shows the invite in German', async () => {
    await page.getByLabel(de.start.name, { exact: true }).fill('Alex');
    await page.getByRole('button', { name: de.start.submit, exact: true }).click();
    const link = page.getByLabel(de.invite.linkLabel);
    await expect.poll(() => link.inputValue()).toContain('#invite=');
    await page.getByRole('heading', { name: de.invite.title }).waitFor();
    await saveScreen(page, '21-invite-de');
    expect(await seriousViolations(page)).toEqual([]);
  });
});
