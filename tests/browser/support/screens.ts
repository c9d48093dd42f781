import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { AxeResults, RunOptions } from 'axe-core';
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

const AXE_OPTIONS: RunOptions = {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
  // Only the violations are read: axe-core skips the details of what passed.
  resultTypes: ['violations'],
};
let axeSource: string | undefined;

/**
 * The serious and critical axe-core violations on the page, as readable lines.
 *
 * axe-core runs in the page itself (its `axe.run`), injected once per loaded document: the
 * app has no frames. `@axe-core/playwright` re-injects it and opens a blank page to gather its
 * results on every check, about 1.4 s each here against 0.15 s, over some hundred checks a run.
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  if (page.frames().length > 1) throw new Error('seriousViolations checks a page without frames; this one has some.');
  if (!(await page.evaluate(() => 'axe' in globalThis))) {
    axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    await page.evaluate(axeSource);
  }
  // With no context given, axe.run checks the whole document.
  const results = await page.evaluate(
    (options) => (globalThis as unknown as { axe: { run(options: RunOptions): Promise<AxeResults> } }).axe.run(options),
    AXE_OPTIONS,
  );
  // A rule that throws is reported as incomplete with its error, not as a violation: a check
  // that could not run must not read as passed.
  const failed = results.incomplete.filter((r) => (r as { error?: unknown }).error !== undefined).map((r) => r.id);
  if (failed.length > 0) throw new Error(`axe-core could not run: ${failed.join(', ')}`);
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
