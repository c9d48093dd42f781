import { onScopeDispose, watch, type Ref } from 'vue';

/**
 * Keeps the screen on while `wanted` is true, where the browser offers the Screen Wake Lock
 * API. The browser drops the lock when the page is hidden; it is taken again on return.
 */
export function useScreenWakeLock(wanted: Ref<boolean>): void {
  if (!('wakeLock' in navigator)) return;
  let sentinel: WakeLockSentinel | null = null;

  async function take(): Promise<void> {
    if (sentinel !== null && !sentinel.released) return;
    try {
      sentinel = await navigator.wakeLock.request('screen');
    } catch {
      // Refused (power saving, a hidden tab): the talk works without it.
      sentinel = null;
    }
  }
  function drop(): void {
    void sentinel?.release().catch(() => undefined);
    sentinel = null;
  }
  function onVisible(): void {
    if (document.visibilityState === 'visible' && wanted.value) void take();
  }

  watch(wanted, (on) => (on ? void take() : drop()), { immediate: true });
  document.addEventListener('visibilitychange', onVisible);
  onScopeDispose(() => {
    document.removeEventListener('visibilitychange', onVisible);
    drop();
  });
}
