import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

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
}
/** The voice call's tests name their launches so. */
export type LaunchOptions = Extras;

const FAKE_MICROPHONE = {
  allowed: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
  refused: ['--use-fake-device-for-media-stream'],
};
export const LONDON: Where = { locale: 'en-US', timezoneId: 'Europe/London' };

/**
 * Launches the system Chromium as one device, with a fresh `--user-data-dir` (Playwright takes
 * it as the persistent context's directory). Two devices are two browsers, sharing nothing.
 */
export async function launchDevice(baseURL: string, device: Device, where: Where = LONDON, extras: Extras = {}): Promise<Phone> {
  if (!chromiumAvailable) throw new Error(`Chromium is missing at ${CHROMIUM_PATH}; the browser tests need it.`);
  const profile = mkdtempSync(join(tmpdir(), 'duologue-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    args: [...ARGS, ...(extras.args ?? []), ...(extras.fakeMicrophone === undefined ? [] : FAKE_MICROPHONE[extras.fakeMicrophone])],
    permissions: extras.permissions,
    baseURL,
    ...device,
    ...where,
    acceptDownloads: true,
  });
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
