import { join, resolve } from 'node:path';
import { readConfig } from '../server/config';
import { backupDatabase, backupName } from '../server/store/backup';

// `npm run backup [-- --out FILE]`: a consistent copy of the database while the server runs.
// Without --out it goes to DUOLOGUE_DATA_DIR/backups/. docs/deploy.md says where to keep it.
const parsed = readConfig(process.env);
if (!parsed.ok) {
  console.error(parsed.message);
  process.exit(1);
}
const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const dataDir = resolve(parsed.config.DUOLOGUE_DATA_DIR);
const file = resolve(outAt >= 0 && args[outAt + 1] !== undefined ? args[outAt + 1]! : join(dataDir, 'backups', backupName(new Date())));
try {
  const made = await backupDatabase(dataDir, file);
  process.stdout.write(`Backed up ${made.rooms} room${made.rooms === 1 ? '' : 's'} (${made.bytes} bytes) to ${made.file}\n`);
} catch (error) {
  console.error(`The backup failed: ${(error as Error).message}`);
  process.exit(1);
}
