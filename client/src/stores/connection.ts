import { defineStore } from 'pinia';
import { computed, ref } from 'vue';

/** Where the real-time connection stands. */
export type ConnectionStatus = 'idle' | 'connecting' | 'online' | 'reconnecting' | 'refused';

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
  /** Server clock minus local clock, in ms. */
  const offsetMs = ref(0);
  // One tick a second drives every countdown and time-gated button; nothing else ticks.
  const localNow = ref(Date.now());
  setInterval(() => (localNow.value = Date.now()), 1000);

  const serverNow = computed(() => localNow.value + offsetMs.value);
  const ready = computed(() => status.value === 'online' && stateFresh.value);
  const showReconnecting = computed(() => status.value === 'reconnecting' || (status.value === 'online' && !stateFresh.value && everOnline.value));
  const everOnline = ref(false);

  function connecting(): void {
    status.value = everOnline.value ? 'reconnecting' : 'connecting';
    stateFresh.value = false;
  }
  function connected(): void {
    status.value = 'online';
    refusal.value = null;
  }
  function stateArrived(): void {
    stateFresh.value = true;
    everOnline.value = true;
  }
  function lost(): void {
    status.value = 'reconnecting';
    stateFresh.value = false;
  }
  function refused(code: string): void {
    status.value = 'refused';
    refusal.value = code;
    stateFresh.value = false;
  }
  function closed(): void {
    status.value = 'idle';
    stateFresh.value = false;
    everOnline.value = false;
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
    offsetMs,
    serverNow,
    ready,
    showReconnecting,
    connecting,
    connected,
    stateArrived,
    lost,
    refused,
    closed,
    setOffset,
    serverTime,
  };
});
