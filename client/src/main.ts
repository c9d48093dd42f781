import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import { i18n, loadPreferredLocale } from './i18n';
import { router } from './router';
import './styles.css';

// The reader's own language first (a small chunk, German only), then the first render.
void loadPreferredLocale().then(() => {
  createApp(App).use(createPinia()).use(router).use(i18n).mount('#app');
});
