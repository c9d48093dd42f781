import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PROJECT_ROOT } from '../../server/client-build';

/**
 * The phone downloads every script over a mobile line: the whole client stays small. Raised
 * from 120 KiB on 1 December, when the coaching cards' queue and their live line, the
 * reconnect when the network returns and the therapist's line in the role banner took an
 * English phone's scripts from 119.6 to 120.2 KiB (docs/performance.md, "The client").
 */
const BUDGET_KIB = 122;

/**
 * What an English phone never loads: the therapist's console (its pages and its words) and the
 * German texts. Everything else the app's entry reaches, statically or on demand, counts.
 */
const NOT_ON_AN_ENGLISH_PHONE = [/^src\/views\/(ConsoleLayout|ModeratorView|ConsoleRoomView)\.vue$/, /^src\/i18n\/(de|console-en|console-de)\.ts$/];

/** One chunk of Vite's build manifest. */
interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
}

/** The scripts a phone can load: from the entry, every import, and every lazy import it may follow. */
function phoneScripts(manifest: Record<string, ManifestChunk>): Set<string> {
  const reached = new Set<string>();
  const visit = (key: string): void => {
    if (reached.has(key) || NOT_ON_AN_ENGLISH_PHONE.some((skip) => skip.test(key))) return;
    const chunk = manifest[key];
    if (!chunk) return;
    reached.add(key);
    for (const next of [...(chunk.imports ?? []), ...(chunk.dynamicImports ?? [])]) visit(next);
  };
  for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) visit(key);
  return new Set([...reached].map((key) => manifest[key]!.file).filter((file) => file.endsWith('.js')));
}

describe('the built client', () => {
  let outDir: string;
  let scripts: { name: string; text: Buffer }[];
  let phone: Set<string>;

  beforeAll(() => {
    // A production build of its own: under vitest NODE_ENV is "test", which would keep
    // Vue's development code in any build made from inside this process.
    outDir = mkdtempSync(join(tmpdir(), 'duologue-bundle-'));
    const built = spawnSync(process.execPath, [join(PROJECT_ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--outDir', outDir, '--emptyOutDir', '--manifest', '--logLevel', 'warn'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, NODE_ENV: 'production' },
      encoding: 'utf8',
    });
    expect(built.status, built.stderr).toBe(0);
    const assets = join(outDir, 'assets');
    scripts = readdirSync(assets)
      .filter((f) => f.endsWith('.js'))
      .map((name) => ({ name: `assets/${name}`, text: readFileSync(join(assets, name)) }));
    phone = phoneScripts(JSON.parse(readFileSync(join(outDir, '.vite', 'manifest.json'), 'utf8')) as Record<string, ManifestChunk>);
  }, 60_000);
  afterAll(() => {
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it(`ships an English phone under ${BUDGET_KIB} KiB of gzipped JavaScript in all`, () => {
    const phoneScripts = scripts.filter((s) => phone.has(s.name));
    expect(phoneScripts.length).toBeGreaterThan(0);
    const bytes = phoneScripts.reduce((sum, s) => sum + gzipSync(s.text).length, 0);
    expect(bytes / 1024).toBeLessThan(BUDGET_KIB);
  });

  it("keeps the therapist's console out of the scripts a phone loads", () => {
    // The console's own chunks exist, and none of the phone's scripts holds a word of it.
    expect(scripts.filter((s) => !phone.has(s.name)).length).toBeGreaterThanOrEqual(4);
    const leaked = scripts.filter((s) => phone.has(s.name) && /console\.(controls|timeline|coach)\./.test(s.text.toString('utf8')));
    expect(leaked.map((s) => s.name)).toEqual([]);
  });

  it('leaves zod out of the bundle', () => {
    // zod's own error text; the client uses the machine's gate and type-only schema imports.
    expect(scripts.some((s) => s.text.toString('utf8').includes('Invalid input'))).toBe(false);
  });
});
