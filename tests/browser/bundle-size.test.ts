import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PROJECT_ROOT } from '../../server/client-build';

/** The phone downloads every script over a mobile line: the whole client stays small. */
const BUDGET_KIB = 120;

describe('the built client', () => {
  let outDir: string;
  let scripts: { name: string; text: Buffer }[];

  beforeAll(() => {
    // A production build of its own: under vitest NODE_ENV is "test", which would keep
    // Vue's development code in any build made from inside this process.
    outDir = mkdtempSync(join(tmpdir(), 'duologue-bundle-'));
    const built = spawnSync(process.execPath, [join(PROJECT_ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, NODE_ENV: 'production' },
      encoding: 'utf8',
    });
    expect(built.status, built.stderr).toBe(0);
    const assets = join(outDir, 'assets');
    scripts = readdirSync(assets)
      .filter((f) => f.endsWith('.js'))
      .map((name) => ({ name, text: readFileSync(join(assets, name)) }));
  }, 60_000);
  afterAll(() => {
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it(`ships under ${BUDGET_KIB} KiB of gzipped JavaScript in all`, () => {
    expect(scripts.length).toBeGreaterThan(0);
    const bytes = scripts.reduce((sum, s) => sum + gzipSync(s.text).length, 0);
    expect(bytes / 1024).toBeLessThan(BUDGET_KIB);
  });

  it('leaves zod out of the bundle', () => {
    // zod's own error text; the client uses the machine's gate and type-only schema imports.
    expect(scripts.some((s) => s.text.toString('utf8').includes('Invalid input'))).toBe(false);
  });
});
