import { computed, nextTick, ref, watch, type Ref } from 'vue';
import { useI18n } from 'vue-i18n';
import { useRoomStore } from '../stores/room';
import { isolate } from '../lib/isolate';
import { useScreenWakeLock } from './use-screen-wake-lock';

const ACTIVE_PHASES = new Set(['checkin', 'dialogue', 'closing']);

/**
 * The phone habits of a talk: keep the screen awake, a short vibration when a step comes
 * to you, a spoken line for screen readers on every change, and focus on the new step.
 * Returns the live region's text.
 */
export function useTalkHabits(): Ref<string> {
  const { t } = useI18n();
  const room = useRoomStore();
  const announcement = ref('');

  const active = computed(() => room.view !== null && ACTIVE_PHASES.has(room.view.phase));
  useScreenWakeLock(active);

  // One key per screen a person should notice: phase, break, and the floor's step.
  const moment = computed(() => {
    const v = room.view;
    if (!v) return '';
    if (v.break) return v.break.due ? 'due' : 'break';
    if (v.paused && ACTIVE_PHASES.has(v.phase)) return 'paused';
    const f = v.floor;
    return f ? `${v.phase}:${f.turn}:${f.speaker}:${f.step}:${f.clarifying}` : v.phase;
  });

  watch(moment, async (now, before) => {
    const v = room.view;
    if (!v || !before || now === before) return;
    if (v.break) {
      announcement.value = v.break.due ? t('announce.due') : t('announce.break');
    } else if (now === 'paused') {
      announcement.value = t('pause.title');
    } else if (v.floor && v.phase === 'dialogue') {
      const step = t(`dialogue.steps.${v.floor.step}`);
      const mine = room.acting;
      announcement.value = mine ? t('announce.yours', { step }) : t('announce.theirs', { name: isolate(room.partnerName), step });
      if (mine && typeof navigator.vibrate === 'function') navigator.vibrate(60);
    } else {
      announcement.value = '';
    }
    await nextTick();
    // A new screen starts at its top, where the role and the step are (a check-in sent from the
    // bottom of its form left the dialogue scrolled past its banner); then its heading takes focus.
    window.scrollTo(0, 0);
    document.getElementById('step-heading')?.focus({ preventScroll: true });
  });

  return announcement;
}
