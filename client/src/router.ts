import { createRouter, createWebHistory } from 'vue-router';
import StartView from './views/StartView.vue';

/** The client's routes; the talk itself and the rarer pages load on demand. */
export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', name: 'start', component: StartView },
    { path: '/join/:roomId', name: 'join', component: () => import('./views/JoinView.vue'), props: true },
    { path: '/room/:roomId', name: 'room', component: () => import('./views/RoomView.vue'), props: true },
    { path: '/moderator', name: 'moderator', component: () => import('./views/ModeratorView.vue') },
    { path: '/notes', name: 'away', component: () => import('./views/AwayView.vue') },
    { path: '/:rest(.*)*', redirect: '/' },
  ],
});
