/** The first wait after the server turned a handshake away for now. */
export const FIRST_RETRY_MS = 2_000;
/** The longest wait between tries: the server's lockouts last a minute at most. */
export const MAX_RETRY_MS = 30_000;

/**
 * How long to wait before the next try after `attempt` refusals in a row (0 for the first):
 * doubling from 2 s up to 30 s, half of it fixed and half random, so phones turned away
 * together do not all come back in the same instant.
 */
export function retryDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
