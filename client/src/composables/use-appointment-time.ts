import { computed, type ComputedRef } from 'vue';
import { useI18n } from 'vue-i18n';
import { useRoomStore } from '../stores/room';
import { dayAndTime } from '../lib/format-time';

/**
 * The proposed or agreed next talk's time, on this phone's clock and marked as such
 * ("Fri 4 Dec, 1:00 (your time)"): partners in different time zones read different hours.
 * Empty when no time is proposed.
 */
export function useAppointmentTime(): ComputedRef<string> {
  const { t, locale } = useI18n();
  const room = useRoomStore();
  return computed(() => {
    const at = room.nextAppointment?.at;
    return at === undefined ? '' : t('time.yourTime', { time: dayAndTime(at, locale.value) });
  });
}
