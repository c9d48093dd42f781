import { createI18n } from 'vue-i18n';
import en from './en';

/** The shape every locale follows: English is complete, and the reference. */
export type Messages = typeof en;

const messages: Record<string, Messages> = { en };

function preferredLocale(): string {
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = tag.toLowerCase().split('-')[0] ?? '';
    if (base in messages) return base;
  }
  return 'en';
}

/** The app's vue-i18n instance (Composition API mode). */
export const i18n = createI18n({
  legacy: false,
  locale: preferredLocale(),
  fallbackLocale: 'en',
  messages,
});

document.documentElement.lang = i18n.global.locale.value;

/**
 * A refusal in plain words: this locale's sentence for the code, else the server's own
 * sentence (already written for a person), else a general one.
 */
export function errorText(code: string, serverMessage = ''): string {
  const { t, te, locale } = i18n.global;
  const key = `errors.${code}`;
  if (locale.value === 'en' && serverMessage) return serverMessage;
  if (te(key)) return t(key);
  return serverMessage || t('errors.internal');
}
