import { createSSRApp, type Component } from 'vue';
import { renderToString } from 'vue/server-renderer';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import { createI18n } from 'vue-i18n';
import { createMemoryHistory, createRouter } from 'vue-router';
import enPhone from '../../client/src/i18n/en';
import dePhone from '../../client/src/i18n/de';
import consoleEn from '../../client/src/i18n/console-en';
import consoleDe from '../../client/src/i18n/console-de';
import { baseCompile } from '@intlify/message-compiler';

/**
 * A locale's texts as the app's build hands them to vue-i18n (scripts/precompile-messages.ts):
 * each compiled ahead of time, since the app runs without vue-i18n's message compiler.
 */
function compiled(node: unknown): unknown {
  if (typeof node === 'string') return baseCompile(node, { jit: true, location: false }).ast;
  if (Array.isArray(node)) return node.map(compiled);
  if (node !== null && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, compiled(value)]));
  return node;
}
export const MESSAGES = {
  en: compiled({ ...enPhone, console: consoleEn }),
  de: compiled({ ...dePhone, console: consoleDe }),
};

/**
 * One component of the client rendered to HTML in Node (Vue's server renderer: no DOM needed),
 * with the app's plugins. `prepare` fills the stores first, as the server's `state` would.
 * Only what a screen shows before any tap: setup and the first render, no mounted hooks.
 */
export async function renderScreen(
  component: Component,
  options: { locale?: 'en' | 'de'; props?: Record<string, unknown>; prepare?: (pinia: Pinia) => void } = {},
): Promise<string> {
  const pinia = createPinia();
  setActivePinia(pinia);
  options.prepare?.(pinia);
  const app = createSSRApp(component, options.props);
  app.use(pinia);
  app.use(
    createI18n({
      legacy: false,
      locale: options.locale ?? 'en',
      fallbackLocale: 'en',
      // Compiled messages are vue-i18n's own AST, which its types do not name.
      messages: MESSAGES as never,
    }),
  );
  app.use(createRouter({ history: createMemoryHistory(), routes: [{ path: '/', name: 'start', component: { render: () => null } }] }));
  return renderToString(app);
}

/** The text a reader sees in rendered HTML: tags out, entities and spaces as they read. */
export function textOf(html: string): string {
  return html
    .replace(/<!--[\s\S]*?-->/g, '')
    // Inline tags sit inside a sentence; any other tag ends a piece of text.
    .replace(/<\/?(?:bdi|span|strong|em)\b[^>]*>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}
