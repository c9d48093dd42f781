import { defineStore } from 'pinia';
import { computed, ref } from 'vue';

/**
 * Where the real-time connection stands. `waiting`: the server refused the handshake for a
 * while (`rate_limited`, `internal`) and the next try is scheduled; `refused`: for good.
 */
export type ConnectionStatus = 'idle' | 'connecting' | 'online' | 'reconnecting' | 'waiting' | 'refused';

/**
 * The connection and the server's clock: whether actions may go out now (connected and the
 * room's state is back), and the server's time estimated from the clock offset.
 */
export const useConnectionStore = defineStore('connection', () => {
  const status = ref<ConnectionStatus>('idle');
  /** The handshake's refusal (`unauthorized`, `room_not_found`), when refused. */
  const refusal = ref<string | null>(null);
  /** True once a `state` arrived on the current connection. */
  const stateFresh = ref(false);
  /** True once this tab had the room's state: a later loss is a reconnection, not a first load. */
  const everOnline = ref(false);
  /** When the next try goes out (local epoch ms), while `waiting`. */
  const retryAt = ref<number | null>(null);
  /** Server clock minus local clock, in ms. */
  const offsetMs = ref(0);
  // One tick a second drives every countdown and time-gated button; nothing else ticks.
  const localNow = ref(Date.now());
  setInterval(() => (localNow.value = Date.now()), 1000);

  const serverNow = computed(() => localNow.value + offsetMs.value);
  const ready = computed(() => status.value === 'online' && stateFresh.value);
  const showReconnecting = computed(
    () => status.value === 'reconnecting' || status.value === 'waiting' || (status.value === 'online' && !stateFresh.value && everOnline.value),
  );
  /** Whole seconds until the next try while `waiting`, never below 1 (it is about to go). */
  const retryInSeconds = computed(() =>
    status.value === 'waiting' && retryAt.value !== null ? Math.max(1, Math.ceil((retryAt.value - localNow.value) / 1000)) : null,
  );

  function connecting(): void {
    status.value = everOnline.value ? 'reconnecting' : 'connecting';
    stateFresh.value = false;
    retryAt.value = null;
  }
  function connected(): void {
    status.value = 'online';
    refusal.value = null;
    retryAt.value = null;
  }
  function stateArrived(): void {
    stateFresh.value = true;
    everOnline.value = true;
  }
  function lost(): void {
    status.value = 'reconnecting';
    stateFresh.value = false;
  }
  /** The server turned the handshake away for now; the next try is at `at` (local epoch ms). */
  function waiting(at: number): void {
    status.value = 'waiting';
    stateFresh.value = false;
    retryAt.value = at;
    localNow.value = Date.now();
  }
  function refused(code: string): void {
    status.value = 'refused';
    refusal.value = code;
    stateFresh.value = false;
    retryAt.value = null;
  }
  function closed(): void {
    status.value = 'idle';
    stateFresh.value = false;
    everOnline.value = false;
    retryAt.value = null;
  }
  function setOffset(ms: number): void {
    offsetMs.value = ms;
  }
  /** The server's clock now, read on demand rather than from the 1 s tick. */
  function serverTime(): number {
    return Date.now() + offsetMs.value;
  }

  return {
    status,
    refusal,
    stateFresh,
    everOnline,
    retryAt,
    offsetMs,
    localNow,
    serverNow,
    ready,
    showReconnecting,
    retryInSeconds,
    connecting,
    connected,
    stateArrived,
    lost,
    waiting,
    refused,
    closed,
    setOffset,
    serverTime,
  };
});
