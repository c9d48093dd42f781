import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { launchPhone, LONDON } from '../tests/browser/support/chromium';
import { checkIn, createRoom, talkFor } from './generator/setup';
import { spread, round3, type Spread } from './measure/stats';
import { PROJECT_ROOT, startDuologue } from './servers';

/** The phone's side of performance: what it downloads and how soon it can act. */
export interface ClientResult {
  buildMs: number;
  /** gzip (level 6, as the bundle-size test) of the built scripts, in KiB. */
  gzip: {
    /** The entry and the chunks it imports statically: what every English phone loads first. */
    entryAndEagerKiB: number;
    /** What the phone actually fetched until the dialogue screen could be used (the room view's chunks added). */
    loadedForDialogueKiB: number;
    /** Every script of the build (the German chunk and the rarer views included). */
    allScriptsKiB: number;
    files: Array<{ file: string; kib: number; eager: boolean }>;
    loadedFiles: string[];
  };
  /** Opening a room in the dialogue as partner A, CPU throttled, fresh profile each time. */
  interactive: {
    cpuThrottle: number;
    /** Navigation start → the step's primary button is shown and enabled (ms). */
    dialogueReadyMs: Spread;
    domContentLoadedMs: Spread;
  };
}

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
}

const kib = (bytes: number) => round3(bytes / 1024);

/** The little of the DOM the page functions below use (this project's Node code is typed without the DOM). */
interface PageGlobals {
  document: { querySelector(selector: string): { disabled?: boolean } | null };
  performance: { now(): number; getEntriesByType(type: string): unknown[] };
}

/**
 * In the page: the time since navigation start once the step's primary button is shown and
 * enabled, else false. A function, not a string: the app's CSP forbids evaluating strings.
 */
function dialogueReady(): number | false {
  const button = (globalThis as unknown as PageGlobals).document.querySelector('section.dialogue .actions .btn-primary');
  return button !== null && button.disabled === false ? (globalThis as unknown as PageGlobals).performance.now() : false;
}

/** In the page: when DOMContentLoaded's handlers finished, since navigation start. */
function domContentLoaded(): number {
  const [navigation] = (globalThis as unknown as PageGlobals).performance.getEntriesByType('navigation') as Array<{ domContentLoadedEventEnd: number }>;
  return navigation?.domContentLoadedEventEnd ?? Number.NaN;
}

/** Builds the client for production into dist/client, reading Vite's manifest to tell eager chunks from lazy ones. */
function buildClient(): { buildMs: number; eager: Set<string> } {
  const started = performance.now();
  const built = spawnSync(process.execPath, [join(PROJECT_ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--manifest', '--logLevel', 'warn'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, NODE_ENV: 'production' },
    encoding: 'utf8',
  });
  if (built.status !== 0) throw new Error(`vite build failed: ${built.stderr.slice(0, 2000)}`);
  const buildMs = round3(performance.now() - started);
  const manifestDir = join(PROJECT_ROOT, 'dist', 'client', '.vite');
  const manifest = JSON.parse(readFileSync(join(manifestDir, 'manifest.json'), 'utf8')) as Record<string, ManifestChunk>;
  // The manifest is for this step only; the served build stays as `npm run build` leaves it.
  rmSync(manifestDir, { recursive: true, force: true });
  const eager = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (chunk === undefined || eager.has(chunk.file)) return;
    eager.add(chunk.file);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry === true) visit(key);
  return { buildMs, eager };
}

/**
 * The client step of the bench: a production build, its gzipped scripts, and the time a
 * phone with a 4× slower CPU takes from opening a room to a usable dialogue screen.
 */
export async function measureClient(runs: number): Promise<ClientResult> {
  const { buildMs, eager } = buildClient();
  const assets = join(PROJECT_ROOT, 'dist', 'client', 'assets');
  const files = readdirSync(assets)
    .filter((file) => file.endsWith('.js'))
    .map((file) => {
      const bytes = gzipSync(readFileSync(join(assets, file))).length;
      return { file: `assets/${file}`, bytes, eager: eager.has(`assets/${file}`) };
    });
  const sum = (list: typeof files) => kib(list.reduce((total, f) => total + f.bytes, 0));

  const dataDir = mkdtempSync(join(tmpdir(), 'duologue-bench-client-'));
  const server = await startDuologue({ dataDir });
  const ready: number[] = [];
  const contentLoaded: number[] = [];
  const loaded = new Set<string>();
  try {
    const room = await createRoom(server.url, 'partner');
    const partners = talkFor('duologue', server.url, room);
    await partners.connect();
    await checkIn(partners);
    // Partner B stays online on its own socket; A's phone is the browser.
    partners.sockets.A.disconnect();
    const seatRecord = JSON.stringify({ seat: 'A', seatKey: room.keys.A });
    for (let run = 0; run < runs; run += 1) {
      // A Chromium of its own each run, as a phone opening the app cold.
      const phone = await launchPhone(server.url, LONDON, { ownProfile: true });
      try {
        await phone.context.addInitScript({
          content: `localStorage.setItem(${JSON.stringify(`duologue:seat:${room.roomId}`)}, ${JSON.stringify(seatRecord)});`,
        });
        phone.page.on('response', (response) => {
          const path = new URL(response.url()).pathname;
          if (path.startsWith('/assets/') && path.endsWith('.js')) loaded.add(path.slice(1));
        });
        // Same origin first, so the throttled renderer is the one that opens the room.
        await phone.page.goto('/api/health');
        const cdp = await phone.context.newCDPSession(phone.page);
        await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
        await phone.page.goto(`/room/${room.roomId}`, { waitUntil: 'commit' });
        const at = await phone.page.waitForFunction(dialogueReady, null, { polling: 'raf', timeout: 60_000 });
        ready.push(round3(Number(await at.jsonValue())));
        contentLoaded.push(round3(Number(await phone.page.evaluate(domContentLoaded))));
      } finally {
        await phone.close();
      }
    }
    partners.close();
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }

  return {
    buildMs,
    gzip: {
      entryAndEagerKiB: sum(files.filter((f) => f.eager)),
      loadedForDialogueKiB: sum(files.filter((f) => loaded.has(f.file))),
      allScriptsKiB: sum(files),
      files: files.map((f) => ({ file: f.file, kib: kib(f.bytes), eager: f.eager })),
      loadedFiles: [...loaded].sort(),
    },
    interactive: { cpuThrottle: 4, dialogueReadyMs: spread(ready), domContentLoadedMs: spread(contentLoaded) },
  };
}
