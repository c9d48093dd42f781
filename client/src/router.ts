import { createRouter, createWebHistory } from 'vue-router';
import StartView from './views/StartView.vue';
import { loadSeat } from './lib/seat-keys';
import { loadConsoleMessages } from './i18n/console';

/** A therapist's console page: its own chunk and the console's words, loaded together. */
function consolePage<T>(page: () => Promise<T>): () => Promise<T> {
  return () => Promise.all([page(), loadConsoleMessages()]).then(([loaded]) => loaded);
}

/** The client's routes; the talk itself and the rarer pages load on demand. */
export const router = createRouter({
  history: createWebHistory(),
  // A new page opens at its top (the console's room after the form it was opened from, halfway
  // down the page); back and forward return to where the page was left.
  scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
  routes: [
    { path: '/', name: 'start', component: StartView },
    { path: '/join/:roomId', name: 'join', component: () => import('./views/JoinView.vue'), props: true },
    {
      path: '/room/:roomId',
      name: 'room',
      component: () => import('./views/RoomView.vue'),
      props: true,
      // The moderator's seat is seen from the console, never from a partner's screen.
      beforeEnter: (to) =>
        loadSeat(String(to.params.roomId))?.seat === 'moderator' ? { name: 'console-room', params: { roomId: to.params.roomId } } : true,
    },
    {
      path: '/moderator',
      component: consolePage(() => import('./views/ConsoleLayout.vue')),
      children: [
        { path: '', name: 'moderator', component: () => import('./views/ModeratorView.vue') },
        { path: 'room/:roomId', name: 'console-room', component: () => import('./views/ConsoleRoomView.vue'), props: true },
      ],
    },
    { path: '/notes', name: 'away', component: () => import('./views/AwayView.vue') },
    // The names a therapist may guess for the console lead to it, not to the couples' start page.
    { path: '/console', redirect: '/moderator' },
    { path: '/therapist', redirect: '/moderator' },
    { path: '/:rest(.*)*', redirect: '/' },
  ],
});
