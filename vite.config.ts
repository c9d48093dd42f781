import { defineConfig } from 'vitest/config';
import vue from '@vitejs/plugin-vue';
import { fileURLToPath } from 'node:url';
import { precompileMessages } from './scripts/precompile-messages.ts';
import { serviceWorker } from './scripts/service-worker-plugin.ts';

const root = fileURLToPath(new URL('./client', import.meta.url));

export default defineConfig({
  root,
  plugins: [vue(), precompileMessages(), serviceWorker(fileURLToPath(new URL('./client/sw/service-worker.ts', import.meta.url)), fileURLToPath(new URL('./client/public', import.meta.url)))],
  // Compile-time flags of Vue and vue-i18n: the app uses the Composition API only, and
  // production builds carry no devtools hooks. Leaving them out keeps the phone's bundle lean.
  define: {
    __VUE_OPTIONS_API__: 'false',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    __VUE_I18N_FULL_INSTALL__: 'false',
    __VUE_I18N_LEGACY_API__: 'false',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
    // The locale files arrive compiled (scripts/precompile-messages.ts): no compiler in the bundle.
    __INTLIFY_DROP_MESSAGE_COMPILER__: 'true',
  },
  resolve: { alias: { '@protocol': fileURLToPath(new URL('./protocol', import.meta.url)) } },
  build: {
    outDir: fileURLToPath(new URL('./dist/client', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:3000',
      '/socket.io': { target: 'http://127.0.0.1:3000', ws: true },
    },
  },
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['tests/**/*.test.ts'],
    // Builds the client once (when stale) before any test file runs.
    globalSetup: ['tests/support/global-setup.ts'],
    setupFiles: ['tests/support/close-browsers.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // expect.poll waits for another device or process to catch up: 1 s (Vitest's default) is too
    // short on a shared 2-core machine. A poll that passes returns as soon as it does.
    expect: { poll: { timeout: 10_000 } },
    pool: 'forks',
    // Two test files at a time, on two cores: most of a browser test's time is real waiting
    // (a break's twelve seconds, a phrase's nine), so a second file fills it. One at a time
    // took about twelve minutes here, two about nine.
    maxWorkers: 2,
  },
});
