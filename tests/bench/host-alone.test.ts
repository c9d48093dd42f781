import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { measureHostAlone } from '../../bench/host-alone';

/**
 * `npm run bench:host` at toy scale: every room's talk goes through the real host and store
 * (a refused command throws), and each side's figures are measured over the commands it made.
 * No speed is asserted; the figures belong in the bench's results.
 */
describe('npm run bench:host, at toy scale', () => {
  const dir = mkdtempSync(join(tmpdir(), 'duologue-host-alone-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('drives every room through its steps and counts what each command wrote', async () => {
    const { host, floor } = await measureHostAlone({ dir, rooms: 3, rounds: 2 });
    expect(host.commands).toBe(6);
    expect(floor.commands).toBe(6);
    // Two partners, a view each per change, a kilobyte or more apiece.
    expect(host.viewBytes).toBeGreaterThan(2000);
    for (const side of [host, floor]) {
      if (process.platform === 'linux') {
        // Every command is a durable commit of its own: at least one 4 KiB WAL page, in write calls.
        expect(side.bytesWritten).toBeGreaterThanOrEqual(4096);
        expect(side.writeCalls).toBeGreaterThanOrEqual(1);
      }
    }
    // Duologue's commit writes the room's row, its timeline and the command's id: more than the floor's one small row.
    if (process.platform === 'linux') expect(host.bytesWritten!).toBeGreaterThan(floor.bytesWritten!);
  });
});
