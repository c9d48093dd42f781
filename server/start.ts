import { clientBuildIsStale, ensureClientBuilt } from './client-build';
import { createLogger } from './logger';
import { main } from './main';

// `npm start`: build the client when it is missing or stale, then serve it with the API.
// DUOLOGUE_SKIP_CLIENT_BUILD=1 skips the check (the test suite builds once for all its servers).
if (process.env.DUOLOGUE_SKIP_CLIENT_BUILD !== '1') {
  const log = createLogger(process.env.LOG_LEVEL ?? 'info');
  try {
    // A first start builds the client, which takes a while: say so before the wait.
    if (clientBuildIsStale()) log.info('building the client into dist/client…');
    if (await ensureClientBuilt()) log.info('client built into dist/client');
  } catch (error) {
    // The API is worth serving even when the client does not build; the last good build (if any) stays.
    log.error({ err: error }, 'the client did not build; serving the API and the last good client build, if any');
  }
}
await main();
