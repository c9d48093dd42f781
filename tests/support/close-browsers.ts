import { afterAll } from 'vitest';

/**
 * After each test file, the Chromiums its devices shared are closed (tests/browser/support/chromium.ts
 * registers how, once it starts one). Without it a browser could outlive the file's worker.
 * This file imports nothing else, so the files without a browser pay nothing for it.
 */
afterAll(async () => {
  await (globalThis as { closeDuologueBrowsers?: () => Promise<void> }).closeDuologueBrowsers?.();
});
