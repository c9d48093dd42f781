import { ensureClientBuilt } from '../../server/client-build';

/**
 * Builds the client once for the whole suite, before any test file runs, so that
 * parallel files (and the servers they spawn) never build at the same time.
 */
export default async function setup(): Promise<void> {
  try {
    await ensureClientBuilt();
  } catch (error) {
    // The server and protocol suites do not need the client; its own tests report a broken build.
    console.warn(`The client did not build; tests that serve it will fail. ${String(error).slice(0, 500)}`);
  }
}
