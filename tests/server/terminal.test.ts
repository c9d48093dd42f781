import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/client-build';
import { DATABASE_FILE, openSqliteStore } from '../../server/store/sqlite-store';
import { createRoom } from '../support/api-client';
import { spawnServer } from '../support/server-process';
import { tempDataDir } from '../support/test-server';

const dirs: Array<{ dir: string; remove: () => void }> = [];
/** Processes to end after the tests, should one fail half way: `script` and the server under it. */
const pids: number[] = [];
afterAll(() => {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already, as it should be.
    }
  }
  for (const d of dirs) d.remove();
});

function dataDir(): string {
  const d = tempDataDir();
  dirs.push(d);
  return d.dir;
}

/** The room is in the database, and the database passes SQLite's own check. */
async function expectIntact(dir: string, roomId: string): Promise<void> {
  const db = new Database(join(dir, DATABASE_FILE), { readonly: true });
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  db.close();
  const store = openSqliteStore(dir);
  expect((await store.loadRoom(roomId))?.room.seats.A.name).toBe('Ann');
  await store.close();
}

/** True while a process with this id runs (a zombie counts as ended). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('the server as a local service', () => {
  it.each(['inline', 'thread'])('stops cleanly on SIGHUP, like on SIGTERM: exit code 0, promptly, the database intact (SQLite writes %s)', async (writer) => {
    const dir = dataDir();
    const server = await spawnServer({ DUOLOGUE_DATA_DIR: dir, DUOLOGUE_SQLITE_WRITER: writer });
    const room = await createRoom(server.url, { name: 'Ann' });
    const started = Date.now();
    await server.kill('SIGHUP');
    expect([server.child.exitCode, server.child.signalCode]).toEqual([0, null]);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(server.lines.map((line) => JSON.parse(line) as { msg?: string; signal?: string })).toContainEqual(
      expect.objectContaining({ msg: 'stopping', signal: 'SIGHUP' }),
    );
    await expectIntact(dir, room.roomId);
  });

  it('does not catch a fault signal, which it could only loop on', async () => {
    const server = await spawnServer({ DUOLOGUE_DATA_DIR: dataDir() });
    await server.kill('SIGSEGV');
    expect(server.child.signalCode).toBe('SIGSEGV');
  });

  it('stops when its terminal closes, instead of spinning, and tells the person at it the time scale', { timeout: 30_000 }, async () => {
    const dir = dataDir();
    const stderr = join(dir, 'stderr.txt');
    // `script` gives the server a terminal of its own; killing `script` closes that terminal.
    const terminal = spawn('script', ['-qfec', `exec "${process.execPath}" --import tsx server/start.ts 2>"${stderr}"`, '/dev/null'], {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        SHELL: '/bin/sh',
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        DUOLOGUE_SKIP_CLIENT_BUILD: '1',
        DUOLOGUE_DATA_DIR: dir,
        DUOLOGUE_TIME_SCALE: '600',
      },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    if (terminal.pid !== undefined) pids.push(terminal.pid);
    const screen: string[] = [];
    const waiters: Array<() => void> = [];
    const shown = (text: string): Promise<void> =>
      new Promise((resolve, reject) => {
        const check = (): boolean => screen.some((line) => line.includes(text)) && (resolve(), true);
        if (check()) return;
        waiters.push(() => void check());
        terminal.once('exit', () => reject(new Error(`the terminal ended before showing ${text}: ${screen.join('\n').slice(0, 2000)}`)));
      });
    createInterface({ input: terminal.stdout! }).on('line', (line) => {
      screen.push(line);
      for (const wake of waiters) wake();
    });
    await shown('Stop with Ctrl+C.');
    await shown('"addresses"');
    const started = screen.map((line) => (/^\{.*"addresses"/.test(line) ? (JSON.parse(line) as { pid: number; addresses: string[] }) : null)).find((e) => e !== null);
    const pid = started!.pid;
    const url = started!.addresses[0]!;
    pids.push(pid);
    const room = await createRoom(url, { name: 'Ann' });
    const summary = await fetch(`${url}/api/rooms/${room.roomId}/summary`, { headers: { authorization: `Bearer ${room.seatKey}` } });
    expect(summary.status).toBe(200);
    // A later line at info shows that the requests' lines, had they been at info, would be on screen by now.
    const later = await createRoom(url, { name: 'Ben' });
    await shown(later.roomId);
    const seen = [...screen];

    const exited = new Promise((resolve) => terminal.once('exit', resolve));
    terminal.kill('SIGKILL');
    await exited;
    await expect.poll(() => running(pid), { timeout: 15_000, interval: 100 }).toBe(false);
    // Node 20 aborts at exit when it cannot restore a closed terminal's settings; the server lets go of it first.
    expect(existsSync(stderr) ? readFileSync(stderr, 'utf8') : '').not.toMatch(/Assertion failed|Native stack trace/);
    await expectIntact(dir, room.roomId);

    // A person watching saw the time scale in the banner, and no line per request scrolled it away.
    expect(seen).toContain('  Breaks run 600× faster: DUOLOGUE_TIME_SCALE=600');
    expect(seen.join('\n')).toMatch(/"msg":"room created"/);
    expect(seen.join('\n')).not.toMatch(/"msg":"request"/);
  });
});
