import { baseCompile } from '@intlify/message-compiler';
import type { Plugin } from 'vite';

/** The locale files whose texts are compiled ahead of time: the phone's and the console's. */
const LOCALE_FILE = /\/client\/src\/i18n\/(console-)?[a-z]{2}\.ts$/;

/**
 * Every text of a locale as JavaScript source: a text with placeholders becomes vue-i18n's
 * message AST; a text without any becomes a function that returns it, which vue-i18n takes as
 * it is (shorter than an AST that says the same). Lists and objects keep their shape.
 */
function compileTree(node: unknown, at: string): string {
  if (typeof node === 'string') {
    const errors: string[] = [];
    const { ast } = baseCompile(node, { jit: true, minify: true, location: false, onError: (e) => errors.push(e.message) });
    if (errors.length > 0) throw new Error(`The text at ${at} is not a valid vue-i18n message: ${errors.join('; ')}`);
    // A static message's AST carries its whole text in `b.s`.
    const text = (ast as { b?: { s?: unknown } }).b?.s;
    return typeof text === 'string' ? `()=>${JSON.stringify(text)}` : JSON.stringify(ast);
  }
  if (Array.isArray(node)) return `[${node.map((item, i) => compileTree(item, `${at}[${i}]`)).join(',')}]`;
  if (node !== null && typeof node === 'object') {
    const entries = Object.entries(node).map(([key, value]) => `${JSON.stringify(key)}:${compileTree(value, at ? `${at}.${key}` : key)}`);
    return `{${entries.join(',')}}`;
  }
  throw new Error(`The text at ${at} is a ${typeof node}, not a string`);
}

/**
 * Compiles the client's locale files to vue-i18n message ASTs at build time, so the phone's
 * bundle can leave vue-i18n's message compiler out (`__INTLIFY_DROP_MESSAGE_COMPILER__`).
 * The locale files stay plain objects of strings for the tests and the type of `Messages`.
 * A locale file imports nothing but types, so its compiled module can be evaluated as it is.
 */
export function precompileMessages(): Plugin {
  return {
    name: 'duologue-precompile-messages',
    // After the TypeScript transform: the code is plain JavaScript by then.
    enforce: 'post',
    // The phone's code only: tests read the locale files as the strings they are.
    apply: (_config, { mode }) => mode !== 'test',
    async transform(code, id) {
      if (!LOCALE_FILE.test(id.split('?')[0] ?? '')) return null;
      const module = (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)) as { default: unknown };
      return { code: `export default ${compileTree(module.default, '')};\n`, map: null };
    },
  };
}
