import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../../server/client-build';

/** Where the run saves its phone-size screenshots (gitignored). */
export const SCREENS_DIR = join(PROJECT_ROOT, 'test-results', 'screens');

/** Saves what the screen shows (or the whole page, with `fullPage`) as `test-results/screens/<name>.png`. */
export async function saveScreen(page: Page, name: string, { fullPage = false } = {}): Promise<void> {
  mkdirSync(SCREENS_DIR, { recursive: true });
  // Let animations settle on a stable frame: the pacer is checked apart from this.
  await page.screenshot({ path: join(SCREENS_DIR, `${name}.png`), fullPage, animations: 'disabled' });
}

/**
 * Saves the screen in the dark theme as `<name>-dark.png` and returns its serious axe-core
 * violations (contrast included); the page is back in the light theme afterwards.
 */
export async function darkScreen(page: Page, name: string): Promise<string[]> {
  await page.emulateMedia({ colorScheme: 'dark' });
  try {
    await saveScreen(page, `${name}-dark`);
    return await seriousViolations(page);
  } finally {
    await page.emulateMedia({ colorScheme: 'light' });
  }
}

/** The serious and critical axe-core violations on the page, as readable lines. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
