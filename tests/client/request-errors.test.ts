import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, createRoom } from '../../client/src/lib/api';
import { i18n, requestErrorText } from '../../client/src/i18n';
import { MESSAGES } from './render';

// The app's own i18n instance, given the texts compiled as the build compiles them.
i18n.global.setLocaleMessage('en', MESSAGES.en as never);
i18n.global.setLocaleMessage('de', MESSAGES.de as never);

/** The server's answer to a new talk from an address over its limit: 429, its sentence, and the wait. */
function refused(retryAfter: string | null): Response {
  const headers = new Headers({ 'content-type': 'application/json' });
  if (retryAfter !== null) headers.set('retry-after', retryAfter);
  const body = { error: { code: 'rate_limited', message: 'Too many new talks or joins from this address. Try again in 42 seconds.' } };
  return new Response(JSON.stringify(body), { status: 429, headers });
}

async function refusalOf(answer: Response): Promise<unknown> {
  vi.stubGlobal('fetch', () => Promise.resolve(answer));
  return createRoom({ method: 'imago', name: 'Ana' } as Parameters<typeof createRoom>[0]).then(
    () => expect.unreachable('the request was refused'),
    (error: unknown) => error,
  );
}

afterEach(() => {
  vi.unstubAllGlobals();
  i18n.global.locale.value = 'en';
});

describe("a refused request's wait, in the phone's words", () => {
  it('names the wait the server gave in Retry-After, not "a few seconds"', async () => {
    const error = await refusalOf(refused('42'));
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).retryAfterSeconds).toBe(42);
    expect(requestErrorText(error)).toBe('That was a lot at once. Try again in 42 seconds.');
  });

  it('says one second in the singular', async () => {
    expect(requestErrorText(await refusalOf(refused('1')))).toBe('That was a lot at once. Try again in one second.');
  });

  it('says the wait in German on a German phone', async () => {
    i18n.global.locale.value = 'de';
    expect(requestErrorText(await refusalOf(refused('30')))).toBe('Das war viel auf einmal. Versuch es in 30 Sekunden noch einmal.');
  });

  it('keeps the general sentence when the wait is missing or not whole seconds', async () => {
    for (const header of [null, 'soon', 'Wed, 02 Dec 2026 07:00:00 GMT', '0', '-5']) {
      const error = await refusalOf(refused(header));
      expect((error as ApiError).retryAfterSeconds, String(header)).toBeNull();
      expect(requestErrorText(error)).toBe('That was a lot at once. Wait a few seconds and try again.');
    }
  });

  it('gives the general sentence for something that is not a refusal', () => {
    expect(requestErrorText(new TypeError('boom'))).toBe(i18n.global.t('errors.internal'));
  });
});
