import { RateLimiterMemory } from 'rate-limiter-flexible';
import { describe, expect, it } from 'vitest';
import { addressKey } from '../../server/rate-limits';
import { AuthGuard } from '../../server/rooms/auth-guard';

/** An authentication that answers after a pause, as a store read may. */
function slow<T>(answer: T, calls: { count: number }): () => Promise<T> {
  return async () => {
    calls.count += 1;
    await new Promise((resolve) => setTimeout(resolve, 20));
    return answer;
  };
}

describe('the failed-attempt guard', () => {
  it('checks no more than the limit of guesses begun together, and refuses the rest', async () => {
    const guard = new AuthGuard(10);
    const calls = { count: 0 };
    const answers = await Promise.all(Array.from({ length: 30 }, () => guard.attempt('10.0.0.1', slow({ ok: false }, calls))));
    expect(calls.count).toBe(10);
    expect(answers.filter((a) => a === 'rate_limited')).toHaveLength(20);
    // Another address has its own count.
    expect(await guard.attempt('10.0.0.2', slow({ ok: true }, calls))).toEqual({ ok: true });
  });

  it('checks no more than the limit of guesses begun together in two processes sharing the count', async () => {
    // Two guards (two processes) over one shared count, as with Redis: each attempt holds a point while it is checked.
    const shared = new RateLimiterMemory({ points: 9, duration: 60 });
    const [one, two] = [new AuthGuard(9, () => shared), new AuthGuard(9, () => shared)];
    const calls = { count: 0 };
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? one : two).attempt('10.0.0.9', slow({ ok: false }, calls))));
    expect(calls.count).toBe(9);
    expect(answers.filter((a) => a === 'rate_limited')).toHaveLength(21);
  });

  it('hands the point back when the check itself fails, which is no guess', async () => {
    const guard = new AuthGuard(2);
    for (let i = 0; i < 5; i += 1) {
      await expect(guard.attempt('10.0.0.8', () => Promise.reject(new Error('store unavailable')))).rejects.toThrow('store unavailable');
    }
    const calls = { count: 0 };
    expect(await guard.attempt('10.0.0.8', slow({ ok: false }, calls))).toEqual({ ok: false });
    expect(await guard.attempt('10.0.0.8', slow({ ok: false }, calls))).toEqual({ ok: false });
    expect(await guard.attempt('10.0.0.8', slow({ ok: true }, calls))).toBe('rate_limited');
  });

  it('lets right keys that arrive together all through, and counts none of them', async () => {
    const guard = new AuthGuard(10);
    const calls = { count: 0 };
    const answers = await Promise.all(Array.from({ length: 25 }, () => guard.attempt('10.0.0.4', slow({ ok: true }, calls))));
    expect(answers.every((a) => a !== 'rate_limited' && a.ok)).toBe(true);
    // The address still has all ten failures to spend.
    for (let i = 0; i < 10; i += 1) expect(await guard.attempt('10.0.0.4', slow({ ok: false }, calls))).toEqual({ ok: false });
    expect(await guard.attempt('10.0.0.4', slow({ ok: true }, calls))).toBe('rate_limited');
  });

  it('does not count a success against the address', async () => {
    const guard = new AuthGuard(3);
    const calls = { count: 0 };
    for (let i = 0; i < 20; i += 1) expect(await guard.attempt('10.0.0.3', slow({ ok: true }, calls))).toEqual({ ok: true });
    for (let i = 0; i < 3; i += 1) expect(await guard.attempt('10.0.0.3', slow({ ok: false }, calls))).toEqual({ ok: false });
    // Over the limit, the right key is refused too, so a guesser cannot tell a hit from a miss.
    expect(await guard.attempt('10.0.0.3', slow({ ok: true }, calls))).toBe('rate_limited');
    expect(calls.count).toBe(23);
  });
});

describe('the address a limit counts', () => {
  it('counts an IPv6 /64 as one address, and IPv4 (mapped or not) as itself', () => {
    expect(addressKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2::1')).toBe(addressKey('2001:0db8:0001:0002:ffff::9'));
    expect(addressKey('2001:db8:1:3::1')).not.toBe(addressKey('2001:db8:1:2::1'));
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('not an address')).toBe('not an address');
  });

  it('refuses a guesser who moves to another address of the same /64', async () => {
    const guard = new AuthGuard(3);
    const calls = { count: 0 };
    for (let i = 1; i <= 3; i += 1) expect(await guard.attempt(`2001:db8:5:6::${i}`, slow({ ok: false }, calls))).toEqual({ ok: false });
    expect(await guard.attempt('2001:db8:5:6:ffff::4', slow({ ok: false }, calls))).toBe('rate_limited');
    expect(await guard.attempt('2001:db8:5:7::1', slow({ ok: false }, calls))).toEqual({ ok: false });
    expect(calls.count).toBe(4);
  });
});
