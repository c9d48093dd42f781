import { i18n } from './index';
import type { ConsoleMessages } from './console-en';

/** The console's words per locale, each its own chunk, loaded with the console's pages. */
const loaders: Record<string, () => Promise<{ default: ConsoleMessages }>> = {
  en: () => import('./console-en'),
  de: () => import('./console-de'),
};
const merged = new Set<string>();

/**
 * Adds the console's words under `console.*` for English (the fallback) and the reader's
 * locale, once. The console's route awaits it, so its first frame has every word.
 */
export async function loadConsoleMessages(): Promise<void> {
  const wanted = new Set(['en', i18n.global.locale.value]);
  await Promise.all(
    [...wanted].map(async (locale) => {
      const load = loaders[locale];
      if (!load || merged.has(locale)) return;
      const { default: messages } = await load();
      i18n.global.mergeLocaleMessage(locale, { console: messages });
      merged.add(locale);
    }),
  );
}
