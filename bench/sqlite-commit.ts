import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { summarize, type LatencySummary } from './measure/stats';

/**
 * The floor under every durable command: one SQLite transaction in WAL mode with
 * `synchronous=FULL` (the server's settings), upserting one small row, on the disk where
 * the server keeps its data. Each commit is timed alone.
 */
export function measureSqliteCommit(dir: string, commits: number): LatencySummary {
  const file = join(dir, 'commit-cost.sqlite');
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE rows (id TEXT PRIMARY KEY, data TEXT NOT NULL, version INTEGER NOT NULL)');
    const upsert = db.prepare(
      'INSERT INTO rows (id, data, version) VALUES (?, ?, 1) ON CONFLICT(id) DO UPDATE SET data = excluded.data, version = version + 1',
    );
    const commit = db.transaction((id: string, data: string) => upsert.run(id, data));
    const samples: number[] = [];
    for (let i = 0; i < commits; i += 1) {
      const data = JSON.stringify({ rev: i, step: 'mirror', at: Date.now() });
      const started = performance.now();
      commit(`room-${i % 100}`, data);
      samples.push(performance.now() - started);
    }
    return summarize(samples);
  } finally {
    db.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  }
}
