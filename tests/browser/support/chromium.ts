import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

/** The system Chromium (Debian's package); `npx playwright install` cannot run here. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** True when the browser tests can run. Under CI=true a missing Chromium fails them instead. */
export const chromiumAvailable = existsSync(CHROMIUM_PATH);
export const mustRunBrowserTests = process.env.CI === 'true';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** One device: its own Chromium with a fresh profile, one page. */
export interface Phone {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** The screen and input of a device the tests play. */
export interface Device {
  viewport: { width: number; height: number };
  deviceScaleFactor: number;
  isMobile: boolean;
  hasTouch: boolean;
}

/** A phone-sized touch screen. */
export const PHONE: Device = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
/** A therapist's laptop. */
export const LAPTOP: Device = { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, isMobile: false, hasTouch: false };

type Where = { locale: string; timezoneId: string };

/** What a test adds to a device's launch: Chromium flags (a host mapping, a trusted key), permissions, a microphone. */
export interface Extras {
  args?: string[];
  permissions?: string[];
  /**
   * A fake microphone (Chromium's test tone), for the voice call. `allowed`: granted without a
   * prompt (`--use-fake-device-for-media-stream --use-fake-ui-for-media-stream`); `refused`: the
   * device alone, whose permission prompt headless Chromium turns down, as a person might.
   */
  fakeMicrophone?: 'allowed' | 'refused';
  /**
   * A Chromium of its own with a persistent profile, for what an incognito-like context does not
   * offer (Chromium will not install an app from one: `in-incognito`), or for a cold start.
   */
  ownProfile?: boolean;
}
/** The voice call's tests name their launches so. */
export type LaunchOptions = Extras;

const FAKE_MICROPHONE = {
  allowed: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
  refused: ['--use-fake-device-for-media-stream'],
};
export const LONDON: Where = { locale: 'en-US', timezoneId: 'Europe/London' };

/**
 * The running Chromiums, one per set of flags, kept until the test file ends (closeBrowsers).
 * Starting Chromium takes 1.5–2 s on this machine and closing it 0.25 s; a fresh context with
 * its page takes about 0.4 s.
 */
const browsers = new Map<string, Promise<Browser>>();

function browserFor(args: string[]): Promise<Browser> {
  const key = args.join(' ');
  const running = browsers.get(key);
  if (running !== undefined) return running;
  // Playwright gives each launch a fresh temporary --user-data-dir and removes it on close.
  const browser = chromium.launch({ executablePath: CHROMIUM_PATH, args });
  browsers.set(key, browser);
  const forget = (): void => {
    if (browsers.get(key) === browser) browsers.delete(key);
  };
  browser.then((b) => b.on('disconnected', forget), forget);
  return browser;
}

/**
 * Closes every shared Chromium this process started. Vitest runs it after each test file
 * (tests/support/close-browsers.ts), so none outlives its worker.
 */
export async function closeBrowsers(): Promise<void> {
  const open = [...browsers.values()];
  browsers.clear();
  await Promise.all(open.map((browser) => browser.then((b) => b.close()).catch(() => undefined)));
}
(globalThis as { closeDuologueBrowsers?: () => Promise<void> }).closeDuologueBrowsers = closeBrowsers;

/**
 * Opens one device: a fresh browser context (its own storage, cookies, cache, service workers
 * and permissions: two devices share nothing a page can see) in the shared Chromium launched
 * with the same flags, started on first use with a fresh `--user-data-dir`. With `ownProfile`,
 * a Chromium of its own, closed with the device.
 */
export async function launchDevice(baseURL: string, device: Device, where: Where = LONDON, extras: Extras = {}): Promise<Phone> {
  if (!chromiumAvailable) throw new Error(`Chromium is missing at ${CHROMIUM_PATH}; the browser tests need it.`);
  const args = [...ARGS, ...(extras.args ?? []), ...(extras.fakeMicrophone === undefined ? [] : FAKE_MICROPHONE[extras.fakeMicrophone])];
  if (extras.ownProfile === true) return launchWithProfile(baseURL, device, where, extras, args);
  const context = await (await browserFor(args)).newContext(contextOptions(baseURL, device, where, extras));
  let page: Page;
  try {
    page = await context.newPage();
  } catch (error) {
    await context.close().catch(() => undefined);
    throw error;
  }
  page.setDefaultTimeout(10_000);
  return { context, page, close: () => context.close() };
}

function contextOptions(baseURL: string, device: Device, where: Where, extras: Extras): BrowserContextOptions {
  return { permissions: extras.permissions, baseURL, ...device, ...where, acceptDownloads: true };
}

async function launchWithProfile(baseURL: string, device: Device, where: Where, extras: Extras, args: string[]): Promise<Phone> {
  const profile = mkdtempSync(join(tmpdir(), 'duologue-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, args, ...contextOptions(baseURL, device, where, extras) });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(10_000);
  return {
    context,
    page,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** One phone: a phone-sized touch viewport. */
export function launchPhone(baseURL: string, where: Where = LONDON, extras: Extras = {}): Promise<Phone> {
  return launchDevice(baseURL, PHONE, where, extras);
}

/** A therapist's laptop, 1280 × 800. */
export function launchLaptop(baseURL: string): Promise<Phone> {
  return launchDevice(baseURL, LAPTOP);
}
