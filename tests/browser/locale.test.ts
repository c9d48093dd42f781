import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import de from '../../client/src/i18n/de';
import { PROJECT_ROOT } from '../../server/client-build';
import { CHROMIUM_PATH, chromiumAvailable, mustRunBrowserTests } from './support/chromium';
import { SCREENS_DIR, saveScreen, seriousViolations } from './support/screens';
import { startServer, type BrowserTestServer } from './support/server';
import { en } from './support/talk';

const run = chromiumAvailable || mustRunBrowserTests;
const DOCS_SCREENS = join(PROJECT_ROOT, 'docs', 'screens');

/** Saves the screen as the other tests do, and keeps a copy in docs/screens/. */
async function saveDocScreen(page: Page, name: string): Promise<void> {
  await saveScreen(page, name);
  mkdirSync(DOCS_SCREENS, { recursive: true });
  copyFileSync(join(SCREENS_DIR, `${name}.png`), join(DOCS_SCREENS, `${name}.png`));
}

describe.skipIf(!run)('a phone whose browser prefers German', () => {
  let server: BrowserTestServer;
  let profile: string;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    server = await startServer();
    profile = mkdtempSync(join(tmpdir(), 'duologue-chromium-de-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
      baseURL: server.url,
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: 'de-DE',
      timezoneId: 'Europe/Berlin',
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(10_000);
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
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await server?.stop();
  });

  it('opens the start page in German, with no English first frame', async () => {
    await page.goto('/');
    await page.getByRole('heading', { name: de.start.title }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('de');
    expect(await page.evaluate('window.englishSeen')).toEqual([]);
    await page.getByText(de.app.aid).waitFor();
    await saveDocScreen(page, '20-start-de');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('creates a talk in German and shows the invite in German', async () => {
    await page.getByLabel(de.start.name, { exact: true }).fill('Alex');
    await page.getByRole('button', { name: de.start.submit, exact: true }).click();
    const link = page.getByLabel(de.invite.linkLabel);
    await expect.poll(() => link.inputValue()).toContain('#invite=');
    await page.getByRole('heading', { name: de.invite.title }).waitFor();
    await saveDocScreen(page, '21-invite-de');
    expect(await seriousViolations(page)).toEqual([]);
  });
});
