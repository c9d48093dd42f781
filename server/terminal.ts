import { closeSync } from 'node:fs';
import { isatty } from 'node:tty';

/**
 * Signals a server stops on gracefully: Ctrl+C, `kill`, a closed terminal (SIGHUP) and
 * the rest close-with-grace knows, but not the ones a fault raises (SIGSEGV, SIGBUS,
 * SIGFPE, SIGILL, SIGABRT, SIGTRAP). A JavaScript handler for those returns to the faulting
 * instruction, which faults again, for ever, at full CPU; left alone, they end the process.
 */
export const FAULT_SIGNALS = ['SIGSEGV', 'SIGBUS', 'SIGFPE', 'SIGILL', 'SIGABRT', 'SIGTRAP'] as const;

/** Error codes of an output whose reader is gone: a closed terminal, a closed pipe, a closed descriptor. */
const GONE = new Set(['EIO', 'EPIPE', 'EBADF']);

/** True when `error` says the output's reader has gone away (the terminal closed, the pipe's reader quit). */
export function isOutputGone(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && GONE.has(code);
}

/**
 * The standard descriptors that are a terminal now, at start: once the terminal has
 * hung up, `isatty` can no longer tell.
 */
export function terminalDescriptors(): number[] {
  return [0, 1, 2].filter((fd) => isatty(fd));
}

/**
 * Lets go of a terminal that has hung up, just before the process exits. Node 20 restores
 * a terminal's settings at exit and aborts when that fails with EIO, as it does on a
 * closed terminal; a closed descriptor it skips.
 */
export function releaseTerminal(fds: readonly number[]): void {
  for (const fd of fds) {
    try {
      closeSync(fd);
    } catch {
      // Already closed: nothing to let go of.
    }
  }
}
