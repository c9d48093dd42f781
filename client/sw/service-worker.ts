// Duologue's service worker: it keeps the app shell (the built page, its scripts and styles,
// icons and manifest) so a phone opens the app at once on a flaky line. It never touches the
// API (/api/) or the real-time channel (/socket.io/): a talk's state always comes live from
// the server. scripts/service-worker-plugin.ts compiles this file to the build's `sw.js` and
// puts SHELL and VERSION before it. It is a classic worker script, not a module.

/** The shell's paths, and a version drawn from them: filled in at build time. */
declare const SHELL: readonly string[];
declare const VERSION: string;
const worker = self as unknown as ServiceWorkerGlobalScope;
const CACHE = `duologue-shell-${VERSION}`;
/** A navigation waits this long for the network before the kept shell answers. */
const NETWORK_WAIT_MS = 3000;

worker.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => worker.skipWaiting()),
  );
});

worker.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith('duologue-shell-') && key !== CACHE).map((key) => caches.delete(key))))
      .then(() => worker.clients.claim()),
  );
});

/** The page itself from the network, or the kept one when the network fails or is slow. */
function page(request: Request): Promise<Response> {
  const network = fetch(request);
  const kept = new Promise<void>((resolve) => setTimeout(resolve, NETWORK_WAIT_MS)).then(() => caches.match('/', { cacheName: CACHE }));
  return Promise.race([network, kept.then((hit) => hit ?? network)]).catch(() =>
    caches.match('/', { cacheName: CACHE }).then((hit) => hit ?? network),
  );
}

worker.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== worker.location.origin) return;
  // Never the API's answers or the talk's channel: those are live, private and never kept.
  if (url.pathname === '/api' || url.pathname.startsWith('/api/') || url.pathname.startsWith('/socket.io')) return;
  if (request.mode === 'navigate') {
    event.respondWith(page(request));
    return;
  }
  if (SHELL.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname, { cacheName: CACHE }).then((hit) => hit ?? fetch(request)));
  }
});

// A tap on the break's reminder brings the talk's tab forward.
worker.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(
    worker.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
      const open = windows.find((client) => 'focus' in client);
      return open ? open.focus() : worker.clients.openWindow('/');
    }),
  );
});
