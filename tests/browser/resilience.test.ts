import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page, WebSocketRoute } from 'playwright-core';
import { chromiumAvailable, mustRunBrowserTests, type Phone } from './support/chromium';
import { darkScreen, saveScreen, seriousViolations } from './support/screens';
import { startServer, type BrowserTestServer } from './support/server';
import { button, en, roleOf, startDialogue, stepOf } from './support/talk';

const run = chromiumAvailable || mustRunBrowserTests;

/** The id of a `command` emit inside a Socket.IO frame or polling body, if any. */
function commandIds(text: string): string[] {
  return [...text.matchAll(/"command",\{[^}]*"id":"([A-Za-z0-9_-]+)"/g)].map((m) => m[1]!);
}

/**
 * Puts the page's Socket.IO traffic through a proxy the test controls: it records every
 * command id sent (WebSocket frames and polling bodies), can hold commands back, can close
 * the connection as a server would, and can keep new WebSockets from opening (`down`).
 */
async function proxySocket(page: Page) {
  const routes: WebSocketRoute[] = [];
  const sent: string[] = [];
  const state = { holdCommands: false, down: false };
  page.on('request', (request) => {
    if (request.url().includes('/socket.io/') && request.method() === 'POST') sent.push(...commandIds(request.postData() ?? ''));
  });
  await page.routeWebSocket(/\/socket\.io\//, (ws) => {
    // While the line is down a new WebSocket is cut when the page first sends on it, before its
    // handshake reaches the server (cut any sooner, the page does not hear of it).
    if (state.down) {
      ws.connectToServer();
      ws.onMessage(() => void ws.close({ code: 1011, reason: 'down' }));
      return;
    }
    const server = ws.connectToServer();
    routes.push(ws);
    ws.onMessage((message) => {
      const ids = commandIds(String(message));
      sent.push(...ids);
      if (ids.length > 0 && state.holdCommands) return; // lost on the way, as in a dropping network
      server.send(message);
    });
    server.onMessage((message) => ws.send(message));
  });
  return { routes, sent, state };
}

/**
 * Makes the next `count` Socket.IO handshakes of the page fail as the server's middleware fails
 * them when an address is over its limits: the namespace's CONNECT answer becomes a
 * CONNECT_ERROR with message `rate_limited`, on the polling and the WebSocket transport alike.
 */
async function refuseHandshakes(page: Page) {
  const state = { refuse: 0, refused: 0 };
  const refusal = '44{"message":"rate_limited"}';
  await page.route('**/socket.io/**', async (route) => {
    if (route.request().method() !== 'GET') return route.continue();
    const response = await route.fetch();
    // A polling answer holds packets separated by the record separator (0x1e).
    const packets = (await response.text()).split('\x1e');
    const connect = packets.findIndex((packet) => packet.startsWith('40{'));
    if (state.refuse > 0 && connect >= 0) {
      packets[connect] = refusal;
      state.refuse -= 1;
      state.refused += 1;
    }
    await route.fulfill({ response, body: packets.join('\x1e') });
  });
  await page.routeWebSocket(/\/socket\.io\//, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => server.send(message));
    server.onMessage((message) => {
      if (state.refuse > 0 && String(message).startsWith('40{')) {
        state.refuse -= 1;
        state.refused += 1;
        ws.send(refusal);
      } else ws.send(message);
    });
  });
  return state;
}

describe.skipIf(!run)('a talk survives reloads and dropped connections', () => {
  let server: BrowserTestServer;
  const phones: Phone[] = [];
  /** The first test's talk, which the next one goes on with. */
  let talk: { a: Phone; b: Phone };

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    for (const phone of phones) await phone.close();
    await server?.stop();
  });

  it('keeps the seat and the step through a reload mid-turn', async () => {
    const { a, b } = await startDialogue(server.url);
    phones.push(a, b);
    talk = { a, b };
    await button(a.page, en.dialogue.action.share).click();
    await expect.poll(() => stepOf(b.page)).toBe(en.dialogue.steps.mirror);

    await b.page.reload();
    await expect.poll(() => roleOf(b.page)).toBe(en.dialogue.listener);
    await expect.poll(() => stepOf(b.page)).toBe(en.dialogue.steps.mirror);
    await button(b.page, en.dialogue.action.mirror).click();
    await expect.poll(() => stepOf(a.page)).toBe(en.dialogue.steps.check);
    expect(await roleOf(a.page)).toBe(en.dialogue.speaker);
  });

  it('shows "reconnecting" when the server drops the line, then resends the lost command with its id', async () => {
    const { a, b } = await startDialogue(server.url);
    phones.push(a, b);
    const proxy = await proxySocket(b.page);
    await b.page.reload();
    await expect.poll(() => proxy.routes.length, { timeout: 15_000 }).toBeGreaterThan(0);
    await button(a.page, en.dialogue.action.share).click();
    const mirrored = button(b.page, en.dialogue.action.mirror);
    await expect.poll(() => mirrored.isEnabled()).toBe(true);

    // The tap leaves the phone, but the network eats it; then the server closes the line.
    proxy.state.holdCommands = true;
    await mirrored.click();
    await expect.poll(() => proxy.sent.length).toBe(1);
    // The tap is on its way, and the phone says so (after a second, so a quick answer never flickers).
    const onItsWay = b.page.locator('[data-test=sending]');
    await onItsWay.getByText(en.common.sending).waitFor();
    await expect.poll(() => onItsWay.evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { opacity: string } }).getComputedStyle(el).opacity)).toBe('1');
    const lostId = proxy.sent[0]!;
    proxy.state.down = true;
    await b.page.route('**/socket.io/**', (route) => route.abort());
    await proxy.routes.at(-1)!.close({ code: 1011, reason: 'going away' });

    const banner = b.page.locator('[data-test=reconnecting]');
    await banner.waitFor();
    expect(await mirrored.isDisabled()).toBe(true);
    // The break button is greyed out with its reason beside it, and the partner's presence is
    // not claimed from before the line went.
    await b.page.locator('[data-test=flood-offline]').getByText(en.flood.offline).waitFor();
    expect(await b.page.locator('[data-test=flood]').isDisabled()).toBe(true);
    await b.page.locator('[data-test=presence]').first().getByText(en.common.unknown).waitFor();
    // No call starts while its signals could not go through; the call bar says when it can.
    expect(await b.page.locator('[data-test=call-start]').isDisabled()).toBe(true);
    await b.page.locator('[data-test=call-offline]').getByText(en.call.offline).waitFor();
    await saveScreen(b.page, '17-reconnecting');
    expect(await seriousViolations(b.page)).toEqual([]);

    // The line comes back: the state returns, and the same command goes out again.
    proxy.state.holdCommands = false;
    await b.page.unroute('**/socket.io/**');
    proxy.state.down = false;
    await banner.waitFor({ state: 'detached', timeout: 20_000 });
    await expect.poll(() => b.page.locator('[data-test=flood-offline]').count()).toBe(0);
    expect(await b.page.locator('[data-test=call-start]').isEnabled()).toBe(true);
    await b.page.locator('[data-test=presence]').first().getByText(en.common.online).waitFor();
    await expect.poll(() => stepOf(a.page)).toBe(en.dialogue.steps.check);
    expect(await onItsWay.count()).toBe(0);
    expect(proxy.sent.filter((id) => id === lostId).length).toBeGreaterThanOrEqual(2);
    expect(new Set(proxy.sent).size).toBe(1);
    await expect.poll(() => b.page.locator('[data-test=notice]').count()).toBe(0);
  });

  it("is back the moment the network returns, not after Socket.IO's growing wait between attempts", async () => {
    // Alex's turn, at the check, where the first test of this file left its talk.
    const { a, b } = talk;
    // Every WebSocket the page tries, and when: offline, each attempt fails at once.
    const tries: Array<{ at: number; failed: boolean }> = [];
    a.page.on('websocket', (ws) => {
      const attempt = { at: Date.now(), failed: false };
      tries.push(attempt);
      ws.on('socketerror', () => (attempt.failed = true));
    });
    await a.context.setOffline(true);
    await a.page.locator('[data-test=reconnecting]').waitFor();
    // After three failed attempts Socket.IO waits 4–5 s before the next (its backoff doubles from
    // 1 s, half of it random, up to 5 s). The network comes back right after the third.
    await expect.poll(() => tries.filter((t) => t.failed).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
    const failedBefore = tries.length;
    await a.context.setOffline(false);
    const back = Date.now();
    // The phone does not wait that out: it tries again as soon as the network is there.
    await expect.poll(() => tries.length, { timeout: 20_000 }).toBeGreaterThan(failedBefore);
    expect(tries[failedBefore]!.at - back, 'the first attempt after the network returned').toBeLessThan(2_000);
    await a.page.locator('[data-test=reconnecting]').waitFor({ state: 'detached', timeout: 20_000 });
    await a.page.locator('[data-test=presence]').getByText(`Sam, ${en.common.online}`).waitFor();
    // The talk goes on. Sam's phone, untouched since it loads again, gets Alex's next step: its
    // heading takes the focus for a screen reader, and no ring is drawn round it.
    await b.page.reload();
    await expect.poll(() => stepOf(b.page)).toBe(en.dialogue.steps.check);
    await button(a.page, en.dialogue.checkComplete).click();
    await expect.poll(() => stepOf(b.page)).toBe(en.dialogue.steps.summary);
    type Focused = { document: { activeElement: { id: string } | null }; getComputedStyle(e: unknown): { outlineStyle: string } };
    await expect.poll(() => b.page.evaluate(() => (globalThis as unknown as Focused).document.activeElement?.id)).toBe('step-heading');
    expect(
      await b.page.evaluate(() => {
        const g = globalThis as unknown as Focused;
        return g.getComputedStyle(g.document.activeElement).outlineStyle;
      }),
    ).toBe('none');
  });

  it('never gives up after the server turns its handshake away for now, and says when it tries again', async () => {
    const { a, b } = await startDialogue(server.url);
    phones.push(a, b);
    const refusals = await refuseHandshakes(b.page);
    refusals.refuse = Number.POSITIVE_INFINITY;
    await b.page.reload();
    const wait = b.page.locator('[data-test=retry-wait]');
    await wait.waitFor();
    expect(await wait.textContent()).toMatch(/^Couldn't reach the talk\. Trying again in \d+ s\.$/);
    await saveScreen(b.page, '17-retry-wait');
    expect(await seriousViolations(b.page)).toEqual([]);
    expect(await darkScreen(b.page, '17-retry-wait')).toEqual([]);
    // It tries again by itself, again and again, while the server keeps turning it away.
    await expect.poll(() => refusals.refused, { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
    await wait.waitFor();

    // Let through: "Try now" goes at once (unless a try is already under way) and the talk is back.
    refusals.refuse = 0;
    const tryNow = button(b.page, en.conn.tryNow);
    if (await tryNow.isVisible()) await tryNow.click({ timeout: 2_000 }).catch(() => undefined);
    await b.page.locator('[data-test=reconnecting]').waitFor({ state: 'detached', timeout: 20_000 });
    await expect.poll(() => roleOf(b.page)).toBe(en.dialogue.listener);
  });

  it('comes back to the same seats and step after the server restarts', async () => {
    const own = await startServer();
    let again: BrowserTestServer | null = null;
    try {
      const { a, b } = await startDialogue(own.url);
      phones.push(a, b);
      await button(a.page, en.dialogue.action.share).click();
      await expect.poll(() => stepOf(b.page)).toBe(en.dialogue.steps.mirror);

      // The server closes every socket on purpose as it stops; both phones say so.
      await own.stop({ keepData: true });
      for (const phone of [a, b]) await phone.page.locator('[data-test=reconnecting]').waitFor();
      expect(await button(b.page, en.dialogue.action.mirror).isDisabled()).toBe(true);

      again = await startServer({ dataDir: own.dataDir, port: Number(new URL(own.url).port) });
      for (const phone of [a, b]) await phone.page.locator('[data-test=reconnecting]').waitFor({ state: 'detached', timeout: 20_000 });
      expect(await roleOf(b.page)).toBe(en.dialogue.listener);
      await button(b.page, en.dialogue.action.mirror).click();
      await expect.poll(() => stepOf(a.page)).toBe(en.dialogue.steps.check);
    } finally {
      await again?.stop();
      await own.stop();
    }
  });
});
