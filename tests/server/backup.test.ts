import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../server/client-build';
import { backupDatabase, backupName } from '../../server/store/backup';
import { createRoom } from '../support/api-client';
import { startServer, tempDataDir, type TestServer } from '../support/test-server';

const run = promisify(execFile);
const ROOM = { name: 'Alex', topic: 'The evenings', method: 'imago', breakMinutes: 20 } as const;

describe('npm run backup: a copy of the database taken while the server writes', () => {
  const data = tempDataDir();
  const out = tempDataDir();
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer({ dataDir: data.dir });
  });
  afterAll(async () => {
    await server?.close();
    data.remove();
    out.remove();
  });

  it('copies every room committed before it started, while new rooms keep arriving', async () => {
    for (let i = 0; i < 20; i += 1) await createRoom(server.url, ROOM);
    // Rooms keep coming during the copy: it must neither block them nor come out torn.
    let writing = true;
    let during = 0;
    const writer = (async () => {
      while (writing) {
        await createRoom(server.url, ROOM);
        during += 1;
      }
    })();
    const file = join(out.dir, backupName(new Date()));
    const made = await backupDatabase(data.dir, file);
    writing = false;
    await writer;
    expect(during).toBeGreaterThan(0);
    expect(made.rooms).toBeGreaterThanOrEqual(20);
    expect(made.rooms).toBeLessThanOrEqual(20 + during);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // A single self-contained file that SQLite opens as it is.
    expect(existsSync(`${file}-wal`)).toBe(false);
    const copy = new Database(file, { readonly: true });
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      expect((copy.prepare('SELECT count(*) AS n FROM rooms').get() as { n: number }).n).toBe(made.rooms);
    } finally {
      copy.close();
    }
  });

  it('runs as npm run backup, and never overwrites an earlier backup', async () => {
    const file = join(out.dir, 'nightly.sqlite');
    const env = { ...process.env, DUOLOGUE_DATA_DIR: data.dir };
    const first = await run('npm', ['run', '--silent', 'backup', '--', '--out', file], { cwd: PROJECT_ROOT, env });
    expect(first.stdout).toMatch(new RegExp(`^Backed up \\d+ rooms \\(\\d+ bytes\\) to ${file}\\n$`));
    await expect(run('npm', ['run', '--silent', 'backup', '--', '--out', file], { cwd: PROJECT_ROOT, env })).rejects.toMatchObject({
      stderr: expect.stringContaining('exists already'),
    });
    await expect(run('npm', ['run', '--silent', 'backup'], { cwd: PROJECT_ROOT, env: { ...env, DUOLOGUE_DATA_DIR: join(out.dir, 'nowhere') } })).rejects.toMatchObject({
      stderr: expect.stringContaining('there is no database'),
    });
  });

  it('leaves nothing behind when the copy fails', async () => {
    const broken = join(out.dir, 'broken-data');
    mkdirSync(broken, { recursive: true });
    writeFileSync(join(broken, 'duologue.sqlite'), 'not a database, only some words'.repeat(200));
    const target = join(out.dir, 'failed', backupName(new Date()));
    await expect(backupDatabase(broken, target)).rejects.toThrow();
    expect(readdirSync(join(out.dir, 'failed'))).toEqual([]);
  });
});
