import { createI18n } from 'vue-i18n';
import en, { type Messages } from './en';
import { ApiError } from '../lib/api';

export type { Messages };

/**
 * The other locales, each its own chunk: only a phone whose browser prefers one downloads it,
 * so English readers fetch nothing extra.
 */
const loaders: Record<string, () => Promise<{ default: Messages }>> = {
  de: () => import('./de'),
};

/** The first of the browser's languages that the client speaks, else English. */
function preferredLocale(): string {
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = tag.toLowerCase().split('-')[0] ?? '';
    if (base === 'en' || base in loaders) return base;
  }
  return 'en';
}

/** The app's vue-i18n instance (Composition API mode). It starts in English. */
export const i18n = createI18n({
  legacy: false,
  locale: 'en',
  fallbackLocale: 'en',
  messages: { en } as Record<string, Messages>,
});

/**
 * Switches to the browser's preferred locale, loading its messages first; awaited before the
 * app mounts, so a German reader never sees an English frame. A failed load stays in English.
 */
export async function loadPreferredLocale(): Promise<void> {
  const wanted = preferredLocale();
  const load = loaders[wanted];
  if (load) {
    try {
      const { default: messages } = await load();
      i18n.global.setLocaleMessage(wanted, messages);
      i18n.global.locale.value = wanted;
    } catch (error) {
      console.warn(`The ${wanted} texts did not load; staying in English.`, error);
    }
  }
  document.documentElement.lang = i18n.global.locale.value;
}

/** The fields a person types, whose refusal the forms say in their own words. */
const TYPED_FIELDS: Record<string, string> = { name: 'errors.badName', topic: 'errors.badTopic' };

/**
 * A refusal in plain words: this locale's sentence for the code, the same in every language.
 * An `invalid` names what to fix: a typed field the server refused (a name with a hidden
 * character, say) gets the form's own sentence; anything else, the server's sentence in
 * English. A code the client does not know gets the server's sentence, else a general one.
 */
export function errorText(code: string, serverMessage = '', retryAfterSeconds: number | null = null): string {
  const { t, te, locale } = i18n.global;
  // A limit that said how long it lasts: give the wait, not "a few seconds" (it may be a minute).
  if (code === 'rate_limited' && retryAfterSeconds !== null) return t('errors.rateLimitedFor', { n: retryAfterSeconds }, retryAfterSeconds);
  if (code === 'invalid') {
    const field = /^The field "([a-z]+)"/i.exec(serverMessage)?.[1] ?? '';
    const own = TYPED_FIELDS[field];
    if (own !== undefined) return t(own);
    if (locale.value === 'en' && serverMessage) return serverMessage;
  }
  const key = `errors.${code}`;
  if (te(key)) return t(key);
  return serverMessage || t('errors.internal');
}

/** A failed request in plain words: an `ApiError`'s code, sentence and wait; anything else, the general sentence. */
export function requestErrorText(error: unknown): string {
  return error instanceof ApiError ? errorText(error.code, error.message, error.retryAfterSeconds) : errorText('internal');
}
