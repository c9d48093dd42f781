import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchPhone, mustRunBrowserTests, type Phone } from './support/chromium';
import { seriousViolations } from './support/screens';
import { startServer, type BrowserTestServer } from './support/server';

const run = chromiumAvailable || mustRunBrowserTests;

// Every screen test leans on this check finding nothing: here it must find what is planted.
describe.skipIf(!run)('the accessibility check the screen tests use', () => {
  let server: BrowserTestServer;
  let phone: Phone;

  beforeAll(async () => {
    server = await startServer();
    phone = await launchPhone(server.url);
  });
  afterAll(async () => {
    await phone?.close();
    await server?.stop();
  });

  it('finds faint text and a nameless button added to a clean page, and finds them again after a reload brings them back', async () => {
    await phone.page.goto('/');
    await phone.page.locator('main').waitFor();
    expect(await seriousViolations(phone.page)).toEqual([]);
    const plant = (): Promise<void> =>
      phone.page.evaluate(`{
        const faint = document.createElement('p');
        faint.textContent = 'Words too faint to read';
        faint.style.cssText = 'color: #eeeeee; background: #ffffff';
        document.querySelector('main').append(faint, document.createElement('button'));
      }`);
    await plant();
    const found = await seriousViolations(phone.page);
    expect(found.some((line) => line.startsWith('color-contrast (serious)'))).toBe(true);
    expect(found.some((line) => line.startsWith('button-name (critical)'))).toBe(true);
    // A new document needs axe-core injected again.
    await phone.page.reload();
    await phone.page.locator('main').waitFor();
    expect(await seriousViolations(phone.page)).toEqual([]);
    await plant();
    expect(await seriousViolations(phone.page)).toHaveLength(2);
  });
});
