import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Where the project's files are, relative to this module. */
export const PROJECT_ROOT = join(import.meta.dirname, '..');
/** Where `vite build` puts the client. */
export const CLIENT_DIST = join(PROJECT_ROOT, 'dist', 'client');

/** The newest modification time of any file under `path` (0 when there is none). */
function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(join(path, entry.name)));
  }
  return newest;
}

/** True when dist/client is missing or older than a file it is built from. */
export function clientBuildIsStale(root = PROJECT_ROOT): boolean {
  const built = join(root, 'dist', 'client', 'index.html');
  if (!existsSync(built)) return true;
  const sources = ['client', 'protocol', 'vite.config.ts'].map((p) => newestMtime(join(root, p)));
  return Math.max(...sources) > statSync(built).mtimeMs;
}

/**
 * Builds the client with Vite's JS API when it is missing or stale. Returns true
 * when it built. Callers make sure only one build runs at a time (the test suite
 * builds once in its global setup).
 */
export async function ensureClientBuilt(root = PROJECT_ROOT): Promise<boolean> {
  if (!clientBuildIsStale(root)) return false;
  const { build } = await import('vite');
  // Vite follows NODE_ENV: under vitest it is `test`, which would give a development build of
  // Vue that a later `npm start` serves as fresh. The client is always built for production.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: join(root, 'vite.config.ts'), mode: 'production', logLevel: 'warn' });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  return true;
}
