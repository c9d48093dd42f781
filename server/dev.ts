import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createServer } from 'vite';
import { PROJECT_ROOT } from './client-build';
import { createLogger } from './logger';

// `npm run dev`: the server restarts on every change (tsx watch) on port 3000, and
// Vite serves the client with hot reload, proxying /api and /socket.io to it.
const log = createLogger(process.env.LOG_LEVEL ?? 'info');
const server = spawn(process.execPath, [join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'watch', join(PROJECT_ROOT, 'server', 'start.ts')], {
  stdio: 'inherit',
  // Vite serves the client in development: no build needed.
  env: { ...process.env, PORT: '3000', HOST: process.env.HOST ?? '127.0.0.1', DUOLOGUE_SKIP_CLIENT_BUILD: '1' },
});

const vite = await createServer({ configFile: join(PROJECT_ROOT, 'vite.config.ts'), server: { host: true } });
await vite.listen();
log.info({ urls: vite.resolvedUrls }, 'Vite dev server ready; open the Local or Network address');

const stop = (): void => {
  server.kill('SIGTERM');
  void vite.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
server.once('exit', (code) => {
  log.warn({ code }, 'the server process stopped');
});
