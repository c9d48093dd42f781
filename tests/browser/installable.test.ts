import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchPhone, LONDON, mustRunBrowserTests } from './support/chromium';
import { saveScreen, seriousViolations } from './support/screens';
import { startServer, type BrowserTestServer } from './support/server';
import { button, createTalk, en, startDialogue, type Phone } from './support/talk';

// The page's globals as the functions given to page.evaluate use them: the tests compile
// without the DOM's types, so these few are named here, for this file only.
interface ShownNotification {
  title: string;
  body: string;
  tag: string;
}
interface WorkerRegistration {
  getNotifications(): Promise<ShownNotification[]>;
}
declare const navigator: {
  serviceWorker: {
    ready: Promise<WorkerRegistration>;
    controller: object | null;
    addEventListener(type: 'controllerchange', listener: () => void, options: { once: boolean }): void;
  };
};
declare const caches: { keys(): Promise<string[]>; open(name: string): Promise<{ keys(): Promise<Array<{ url: string }>> }> };
declare const document: { dispatchEvent(event: object): void };
declare const Event: new (type: string) => object;
declare const Notification: { requestPermission(): Promise<string> };
declare const window: { asked: number; hide(): void };

// Without Chromium the suite skips locally, and fails under CI=true (launch throws).
const run = chromiumAvailable || mustRunBrowserTests;

/** Resolves once a service worker controls the page (it claims the page on activation). */
async function controlled(phone: Phone): Promise<void> {
  await phone.page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (navigator.serviceWorker.controller === null) {
      await new Promise<void>((resolve) => navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true }));
    }
  });
}

describe.skipIf(!run)('the app installs, and keeps its shell for a flaky line', () => {
  let server: BrowserTestServer;
  let a: Phone;

  beforeAll(async () => {
    server = await startServer();
    // Chromium installs no app from an incognito-like context: this phone keeps a profile.
    a = await launchPhone(server.url, LONDON, { ownProfile: true });
  });
  afterAll(async () => {
    await a?.close();
    await server?.stop();
  });

  it('has a manifest with icons and theme colours for light and dark, and Chromium finds no installability error', async () => {
    await a.page.goto('/');
    await controlled(a);
    // This server listens on 127.0.0.1 only: no other phone can reach it, and the start page says so.
    const warning = a.page.locator('[data-test=address-local-only]');
    await warning.waitFor();
    expect(await warning.innerText()).toContain(server.url);
    await saveScreen(a.page, 'reach-start-local-only');
    const manifest = (await (await a.page.request.get('/manifest.webmanifest')).json()) as {
      icons: Array<{ sizes: string; type: string }>;
      display: string;
      start_url: string;
    };
    expect(manifest.icons.map((icon) => icon.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
    expect(manifest.display).toBe('standalone');
    const themes = await a.page.locator('meta[name=theme-color]').evaluateAll((metas) => metas.map((m) => m.getAttribute('media')));
    expect(themes).toEqual(['(prefers-color-scheme: light)', '(prefers-color-scheme: dark)']);
    const cdp = await a.context.newCDPSession(a.page);
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as { installabilityErrors: unknown[] };
    expect(installabilityErrors).toEqual([]);
  });

  it('serves the shell while the server is stopped, and never keeps an API answer or the talk channel', async () => {
    const link = await createTalk(a, 'Alex');
    expect(link).toContain('#invite=');
    const roomUrl = a.page.url();
    const kept = await a.page.evaluate(async () => {
      const names = await caches.keys();
      const urls: string[] = [];
      for (const name of names) for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
      return urls;
    });
    expect(kept).toContain('/');
    expect(kept.some((path) => path.startsWith('/assets/'))).toBe(true);
    expect(kept.filter((path) => path.startsWith('/api') || path.startsWith('/socket.io'))).toEqual([]);

    await server.stop({ keepData: true });
    // A reload with the server gone: the app, not the browser's error page.
    await a.page.goto(roomUrl);
    await a.page.locator('[data-test=reconnecting]').waitFor();
    expect(await a.page.title()).toBe('Duologue');
    expect(await a.page.locator('[data-test=reconnecting]').innerText()).toMatch(/Reconnecting|Couldn't reach the talk/);
    // With no network at all the phone says so.
    const cdp = await a.context.newCDPSession(a.page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: true, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await a.page.reload();
    await a.page.getByText(en.conn.offline).waitFor();
    await saveScreen(a.page, 'reach-offline');
    expect(await seriousViolations(a.page)).toEqual([]);
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    // A page the worker never had (an API address) still fails as the network fails: nothing kept.
    const api = await a.page.evaluate(() => fetch('/api/health').then(
      (r) => r.status,
      () => 'failed',
    ));
    expect(api).toBe('failed');
  });
});

describe.skipIf(!run)('a reminder at the break\'s return time that says nothing private', () => {
  let server: BrowserTestServer;
  let a: Phone;
  let b: Phone;

  beforeAll(async () => {
    // The browser tests' time scale: the 20-minute break lasts 12 s, time enough to tap.
    server = await startServer();
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await server?.stop();
  });

  it('asks permission only on a tap, then notifies a hidden page with the neutral text', async () => {
    const talk = await startDialogue(server.url);
    a = talk.a;
    b = talk.b;
    await controlled(b);
    // Sam grants notifications in the browser; the page asks only when Sam taps the toggle.
    await b.context.grantPermissions(['notifications'], { origin: server.url });
    await b.page.evaluate(() => {
      // Headless Chromium never hides a page: this stands in for the phone going to its lock screen.
      let hidden = false;
      Object.defineProperty(document, 'visibilityState', { get: () => (hidden ? 'hidden' : 'visible'), configurable: true });
      // Counts the page's permission requests: none may come before Sam's tap.
      const ask = Notification.requestPermission.bind(Notification);
      window.asked = 0;
      Notification.requestPermission = () => {
        window.asked += 1;
        return ask();
      };
      window.hide = () => {
        hidden = true;
        document.dispatchEvent(new Event('visibilitychange'));
      };
    });
    await button(a.page, en.flood.button).click();
    await a.page.locator('[data-test=flood-start]').click();
    await b.page.getByRole('heading', { name: en.break.theirs.replace('{name}', 'Alex') }).waitFor();
    expect(await b.page.evaluate(() => window.asked)).toBe(0);
    await b.page.getByLabel(en.break.remind).check();
    expect(await b.page.evaluate(() => window.asked)).toBe(1);
    await b.page.getByText(en.break.remindOn).waitFor();
    await saveScreen(b.page, 'reach-break-remind');
    await b.page.evaluate(() => window.hide());
    await b.page.getByRole('heading', { name: en.break.due }).waitFor({ timeout: 30_000 });
    const shown = await b.page.evaluate(async () => {
      const registration = await navigator.serviceWorker.ready;
      for (let i = 0; i < 50; i += 1) {
        const list = await registration.getNotifications();
        if (list.length > 0) return list.map((n) => ({ title: n.title, body: n.body, tag: n.tag }));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return [];
    });
    expect(shown).toEqual([{ title: "Duologue — it's time", body: '', tag: 'duologue-break' }]);
    // Now that it is time, the screen offers no reminder of the time any more.
    expect(await b.page.locator('[data-test=remind]').count()).toBe(0);
    // Alex's page stayed visible and was never asked: no reminder there.
    const none = await a.page.evaluate(async () => (await (await navigator.serviceWorker.ready).getNotifications()).length);
    expect(none).toBe(0);
  }, 90_000);

  it('says the same in German, with no name or topic', async () => {
    const { default: de } = await import('../../client/src/i18n/de');
    expect(de.notify.due).toBe('Duologue — es ist Zeit');
    expect(en.notify.due).toBe("Duologue — it's time");
  });
});
