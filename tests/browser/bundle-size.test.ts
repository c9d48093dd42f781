import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CLIENT_DIST } from '../../server/client-build';

/** The phone downloads every script over a mobile line: the whole client stays small. */
const BUDGET_KIB = 120;

describe('the built client', () => {
  it(`ships under ${BUDGET_KIB} KiB of gzipped JavaScript in all`, () => {
    const assets = join(CLIENT_DIST, 'assets');
    const scripts = readdirSync(assets).filter((f) => f.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(0);
    const bytes = scripts.reduce((sum, f) => sum + gzipSync(readFileSync(join(assets, f))).length, 0);
    expect(bytes / 1024).toBeLessThan(BUDGET_KIB);
  });

  it('leaves zod out of the bundle', () => {
    const assets = join(CLIENT_DIST, 'assets');
    const text = readdirSync(assets)
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(join(assets, f), 'utf8'))
      .join('\n');
    // zod's own error text; the client uses the machine's gate and type-only schema imports.
    expect(text).not.toContain('Invalid input');
  });
});
