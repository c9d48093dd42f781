import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DATABASE_FILE } from './sqlite-store';

/** What a backup made: the file, its size, and how many rooms it holds. */
export interface BackupResult {
  file: string;
  bytes: number;
  rooms: number;
}

/** `duologue-2026-11-30T17-05-09Z.sqlite`: sortable, and safe in any file system. */
export function backupName(at: Date): string {
  return `duologue-${at.toISOString().replace(/\.\d+Z$/, 'Z').replaceAll(':', '-')}.sqlite`;
}

/**
 * Copies the database under `dataDir` to `file` with SQLite's online backup API, which reads
 * a consistent snapshot page by page while the server goes on writing (WAL). The copy is a
 * single file (no -wal beside it), readable by its owner only, and checked before it counts.
 */
export async function backupDatabase(dataDir: string, file: string): Promise<BackupResult> {
  const source = join(dataDir, DATABASE_FILE);
  if (!existsSync(source)) throw new Error(`there is no database at ${source}: is DUOLOGUE_DATA_DIR right?`);
  if (existsSync(file)) throw new Error(`${file} exists already: a backup never overwrites one`);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  // Created private before SQLite writes a byte of names and topics into it.
  closeSync(openSync(file, 'wx', 0o600));
  try {
    const db = new Database(source, { fileMustExist: true });
    try {
      db.pragma('busy_timeout = 5000');
      await db.backup(file);
    } finally {
      db.close();
    }
    const copy = new Database(file);
    try {
      copy.pragma('journal_mode = DELETE');
      const check = copy.pragma('integrity_check', { simple: true });
      if (check !== 'ok') throw new Error(`the copy at ${file} failed its integrity check: ${String(check)}`);
      const rooms = (copy.prepare('SELECT count(*) AS n FROM rooms').get() as { n: number }).n;
      chmodSync(file, 0o600);
      return { file, bytes: statSync(file).size, rooms };
    } finally {
      copy.close();
    }
  } catch (error) {
    // A copy that did not finish or did not check out is no backup: nothing of it is left behind.
    for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
    throw error;
  }
}
