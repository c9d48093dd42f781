import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/client-build';

interface LockedPackage {
  version?: string;
  engines?: { node?: string } | string[];
  hasInstallScript?: boolean;
}
const read = <T>(file: string): T => JSON.parse(readFileSync(join(PROJECT_ROOT, file), 'utf8')) as T;
const manifest = read<{ engines: { node: string }; allowScripts?: Record<string, boolean>; dependencies: Record<string, string> }>('package.json');
const lock = read<{ packages: Record<string, LockedPackage> }>('package-lock.json');
const installed = Object.entries(lock.packages).filter(([path]) => path !== '');

describe('npm install', () => {
  it('needs no Node that package.json does not promise: every locked package runs on the lowest of each line', () => {
    const lowest = ['20.19.0', '22.13.0', '24.0.0'];
    for (const version of lowest) expect(semver.satisfies(version, manifest.engines.node), version).toBe(true);
    // The promise is no wider than the tree allows: Node 20.18 and 22.12 are out.
    expect(semver.satisfies('20.18.0', manifest.engines.node)).toBe(false);
    const unmet = installed.flatMap(([path, entry]) => {
      const range = !Array.isArray(entry.engines) ? entry.engines?.node : undefined;
      return range === undefined ? [] : lowest.filter((v) => !semver.satisfies(v, range)).map((v) => `${path}@${entry.version} needs ${range} (not ${v})`);
    });
    expect(unmet).toEqual([]);
  });

  it('approves every install script it runs, and keeps better-sqlite3 on 12.x', () => {
    const scripted = installed.filter(([, entry]) => entry.hasInstallScript === true).map(([path]) => path.split('node_modules/').at(-1)!);
    expect(scripted.length).toBeGreaterThan(0);
    for (const name of scripted) expect(manifest.allowScripts?.[name], name).toBe(true);
    expect(lock.packages['node_modules/better-sqlite3']?.version).toMatch(/^12\./);
  });
});
