/** A pending timer that can be cancelled. */
export interface Timer {
  cancel(): void;
}

/**
 * The server's source of time, injected so tests can move time by hand: a break
 * becomes due at `returnAt` without real waiting.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Calls `fn` once, at or soon after the epoch time `at` (at once if it has passed). */
  at(at: number, fn: () => void): Timer;
}

// setTimeout overflows above 2^31-1 ms (about 24.8 days) and would fire at once.
const MAX_DELAY = 2 ** 31 - 1;

/** The wall clock with Node timers. */
export function systemClock(): Clock {
  return {
    now: () => Date.now(),
    at(at, fn) {
      let handle: NodeJS.Timeout;
      const arm = (): void => {
        const delay = at - Date.now();
        if (delay > MAX_DELAY) {
          handle = setTimeout(arm, MAX_DELAY);
        } else {
          handle = setTimeout(fn, Math.max(0, delay));
        }
        // A pending deadline must not keep a closing process alive.
        handle.unref();
      };
      arm();
      return { cancel: () => clearTimeout(handle) };
    },
  };
}
