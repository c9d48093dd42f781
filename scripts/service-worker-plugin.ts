import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import ts from 'typescript';
import type { Plugin } from 'vite';

/**
 * Writes `sw.js` into the production build: `client/sw/service-worker.ts`, compiled to a classic
 * script (its types checked by `npm run typecheck` with client/sw/tsconfig.json), with the list of
 * the shell's files (every file of the build and of `publicDir` but the worker itself, plus `/`) and a version
 * drawn from that list, so a new build replaces the kept shell. Development has no worker.
 */
export function serviceWorker(source: string, publicDir: string): Plugin {
  return {
    name: 'duologue-service-worker',
    apply: 'build',
    generateBundle(_options, bundle) {
      const files = [...Object.keys(bundle), ...readdirSync(publicDir)]
        .filter((name) => name !== 'sw.js' && !name.endsWith('.map'))
        .sort();
      const shell = ['/', ...files.filter((name) => name !== 'index.html').map((name) => `/${name}`)];
      const version = createHash('sha256').update(shell.join('\n')).update(readFileSync(source)).digest('hex').slice(0, 16);
      const script = ts.transpileModule(readFileSync(source, 'utf8'), {
        compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.None, removeComments: false },
        fileName: source,
      }).outputText;
      const code = `const SHELL = ${JSON.stringify(shell)};\nconst VERSION = ${JSON.stringify(version)};\n${script}`;
      this.emitFile({ type: 'asset', fileName: 'sw.js', source: code });
    },
  };
}
