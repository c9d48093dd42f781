import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import { i18n, loadPreferredLocale } from './i18n';
import { router } from './router';
import { finishLeaving, noteFirstEntry } from './lib/quick-exit';
import './styles.css';

// A quick exit that stepped back into this page finishes here, before anything shows.
window.addEventListener('pageshow', (event) => {
  if (event.persisted) finishLeaving();
});
// The built app keeps its shell in a service worker (client/sw/); development has none. A page
// outside a secure context (plain http on the LAN) cannot have one and goes without.
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  void navigator.serviceWorker.register('/sw.js').catch(() => undefined);
}

if (!finishLeaving()) {
  // The reader's own language first (a small chunk, German only), then the first render.
  void loadPreferredLocale().then(() => {
    createApp(App).use(createPinia()).use(router).use(i18n).mount('#app');
    // The router has written its place into this history entry by now.
    noteFirstEntry();
  });
}
