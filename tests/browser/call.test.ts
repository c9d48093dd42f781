import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createRoom } from '../support/api-client';
import { Member } from '../support/member';
import { chromiumAvailable, launchPhone, mustRunBrowserTests, type Phone } from './support/chromium';
import { joinAsPartner } from './support/console';
import { darkScreen, saveScreen, seriousViolations } from './support/screens';
import { startServer, type BrowserTestServer } from './support/server';
import { startRelay, type TestRelay } from './support/turn';
import { button, checkIn, en, startDialogue } from './support/talk';

const run = chromiumAvailable || mustRunBrowserTests;

/** What the page's call probe reports (`window.__duologueCall`, behind a local flag). */
interface Figures {
  connectionState: string;
  iceConnectionState: string;
  iceGatheringState: string;
  signalingState: string;
  paired: boolean;
  bytesReceived: number;
  bytesSent: number;
  micEnabled: boolean;
  iceRestarts: number;
}

async function figures(page: Page): Promise<Figures | null> {
  // (The callback runs in the page; the test's own types know no DOM.)
  return page.evaluate(() => {
    const probe = (globalThis as unknown as { __duologueCall?: () => Promise<Figures | null> }).__duologueCall;
    return probe ? probe() : null;
  });
}

/** Waits until the partner's audio arrives on this phone: bytes received grow between two looks. */
async function audioFlows(page: Page): Promise<void> {
  try {
    await expect.poll(async () => (await figures(page))?.connectionState, { timeout: 20_000 }).toBe('connected');
    const first = (await figures(page))!.bytesReceived;
    await expect.poll(async () => (await figures(page))!.bytesReceived, { timeout: 10_000 }).toBeGreaterThan(first + 1000);
  } catch (error) {
    // Where the connection stood, so that a failure here says which step of the set-up it missed.
    throw new Error(`no audio on ${page.url()}: ${JSON.stringify(await figures(page).catch(() => 'no probe'))}`, { cause: error });
  }
}

function bar(page: Page) {
  return page.locator('[data-test=call-bar]');
}

async function callStatus(page: Page): Promise<string | null> {
  return bar(page).getAttribute('data-status');
}

async function callLine(page: Page): Promise<string> {
  const line = page.locator('[data-test=call-line]');
  return (await line.count()) === 0 ? '' : ((await line.textContent()) ?? '').trim();
}

describe.skipIf(!run)('the voice call between the two partners', () => {
  let server: BrowserTestServer;
  let relay: TestRelay;
  let a: Phone;
  let b: Phone;
  const screen = (phone: Phone, name: string) => saveScreen(phone.page, `call-${name}`);

  beforeAll(async () => {
    // Every packet of the call goes through a TURN relay on 127.0.0.1 that the test can cut.
    relay = await startRelay();
    server = await startServer({ env: { DUOLOGUE_ICE_SERVERS: relay.iceServers, DUOLOGUE_ICE_TRANSPORT_POLICY: 'relay' } });
  });
  afterAll(async () => {
    await Promise.all([a, b].filter(Boolean).map((phone) => phone.close()));
    await server?.stop();
    await relay?.stop();
  });

  it('offers a call button to each partner, and sets up the call over 127.0.0.1 with audio both ways', async () => {
    ({ a, b } = await startDialogue(server.url, 'imago', { fakeMicrophone: 'allowed' }));
    // The probe is a local flag of this test's own browsers; it exposes counters, no secret.
    for (const phone of [a, b]) await phone.page.evaluate(() => (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem('duologue.callProbe', '1'));
    for (const phone of [a, b]) await button(phone.page, en.call.start.replace('{name}', phone === a ? 'Sam' : 'Alex')).waitFor();
    await screen(a, '1-idle');
    expect(await seriousViolations(a.page)).toEqual([]);

    await button(a.page, en.call.start.replace('{name}', 'Sam')).click();
    await b.page.getByText(en.call.incoming.replace('{name}', 'Alex')).waitFor();
    await a.page.getByText(en.call.calling.replace('{name}', 'Sam')).waitFor();
    await screen(a, '2-calling');
    await screen(b, '3-incoming');

    await button(b.page, en.call.join).click();
    await Promise.all([audioFlows(a.page), audioFlows(b.page)]);
    for (const phone of [a, b]) await expect.poll(() => callStatus(phone.page)).toBe('live');
    await a.page.getByText(en.call.live.replace('{name}', 'Sam')).waitFor();
    // The fake microphone's tone shows as speaking on the partner's screen.
    await expect.poll(() => a.page.locator('[data-test=partner-voice].on').count(), { timeout: 10_000 }).toBe(1);
    // Both fake microphones play a tone at once: the listener, talking over the speaker, gets the
    // gentle hint; the speaker never does.
    await expect.poll(() => callLine(b.page), { timeout: 15_000 }).toBe(en.call.talkOver.replace('{name}', 'Alex'));
    expect(await callLine(a.page)).not.toBe(en.call.talkOver.replace('{name}', 'Sam'));
    await screen(a, '4-live-speaker');
    await screen(b, '5-live-listener');
    expect(await seriousViolations(b.page)).toEqual([]);
    expect(await darkScreen(b.page, 'call-5-live-listener')).toEqual([]);
  }, 120_000);

  it('turns both microphones off for a flooded break; each may turn theirs back on; the resume turns them on', async () => {
    await button(b.page, en.flood.button).click();
    await b.page.locator('[data-test=flood-start]').click();
    await a.page.getByRole('heading', { name: en.break.theirs.replace('{name}', 'Sam') }).waitFor();
    for (const phone of [a, b]) {
      await expect.poll(async () => (await figures(phone.page))?.micEnabled).toBe(false);
      await expect.poll(() => callLine(phone.page)).toBe(en.call.breakMuted);
    }
    // A muted microphone sends silence: the partner's phone hears nothing loud any more.
    await expect.poll(() => a.page.locator('[data-test=partner-voice].on').count(), { timeout: 10_000 }).toBe(0);
    await screen(a, '6-break-muted');

    // Alex overrides on their own phone; Sam's microphone stays off.
    await button(a.page, en.call.unmute).click();
    await expect.poll(async () => (await figures(a.page))?.micEnabled).toBe(true);
    expect((await figures(b.page))?.micEnabled).toBe(false);
    await screen(a, '7-break-override');

    // The break ends: Sam, the caller, says ready once it is due. Alex's phone then says the
    // talk waits on Alex alone, and asks for Alex's own "I'm ready".
    await b.page.getByRole('heading', { name: en.break.due }).waitFor({ timeout: 25_000 });
    // Alex leans towards pursuing: while Sam is away, the advice is to let Sam come back.
    await a.page.getByText(en.break.pursueHint).waitFor();
    await button(b.page, en.break.ready).click();
    await a.page.getByText(en.break.callerBack.replace('{name}', 'Sam')).waitFor();
    // Sam is back: the advice for the wait is gone.
    expect(await a.page.getByText(en.break.pursueHint).count()).toBe(0);
    // Said once: the lead says Sam is back, with no second line saying it again.
    expect(await a.page.locator('[data-test=caller-ready]').count()).toBe(0);
    expect(await button(a.page, en.break.readyWhenThey).count()).toBe(0);
    await button(a.page, en.break.ready).click();
    await b.page.locator('[data-test=break]').waitFor({ state: 'detached' });
    for (const phone of [a, b]) await expect.poll(async () => (await figures(phone.page))?.micEnabled).toBe(true);
    await Promise.all([audioFlows(a.page), audioFlows(b.page)]);
  });

  it('says the call dropped when the network goes, and that it is back when it returns', async () => {
    // Chromium's offline emulation stops the page's requests and fires `offline`, but WebRTC's
    // packets pass it by; the relay going down with it cuts the call's only path for real.
    await a.context.setOffline(true);
    await relay.stop();
    for (const phone of [a, b]) await expect.poll(() => callStatus(phone.page), { timeout: 30_000 }).toBe('dropped');
    await expect.poll(() => callLine(b.page)).toBe(en.call.dropped);
    await screen(b, '8-dropped');
    await relay.start();
    await a.context.setOffline(false);
    for (const phone of [a, b]) await expect.poll(() => callStatus(phone.page), { timeout: 30_000 }).toBe('live');
    for (const phone of [a, b]) await expect.poll(() => callLine(phone.page)).toBe(en.call.back);
    await screen(a, '9-back');
    await Promise.all([audioFlows(a.page), audioFlows(b.page)]);
    // The relay lost every allocation: only an ICE restart, begun by the phones themselves, found the way back.
    const restarts = await Promise.all([a, b].map(async (phone) => (await figures(phone.page))!.iceRestarts));
    expect(restarts[0]! + restarts[1]!).toBeGreaterThan(0);
  });

  it('rejoins the call after a reload', async () => {
    await b.page.reload();
    await expect.poll(() => callStatus(b.page), { timeout: 20_000 }).toBe('live');
    // Alex's phone started a fresh connection for the rejoined partner, and says the call is back.
    await expect.poll(() => callLine(a.page)).toBe(en.call.back);
    await Promise.all([audioFlows(a.page), audioFlows(b.page)]);
  });

  it('ends the call on both phones when one hangs up', async () => {
    await button(a.page, en.call.hangUp).click();
    await b.page.getByText(en.call.left.replace('{name}', 'Alex')).waitFor();
    for (const phone of [a, b]) await expect.poll(() => callStatus(phone.page)).toBe('idle');
    expect(await figures(b.page)).toBeNull();
    await screen(b, '10-partner-left');
  });

  it('lets the partner say not now: the calling phone stops and says so gently', async () => {
    await button(a.page, en.call.start.replace('{name}', 'Sam')).click();
    await b.page.getByText(en.call.incoming.replace('{name}', 'Alex')).waitFor();
    await button(b.page, en.call.notNow).click();
    await a.page.getByText(en.call.declined.replace('{name}', 'Sam')).waitFor();
    for (const phone of [a, b]) await expect.poll(() => callStatus(phone.page)).toBe('idle');
    // Alex's microphone is off again (the call is gone), and Sam's phone opened none.
    expect(await figures(a.page)).toBeNull();
    expect(await figures(b.page)).toBeNull();
    await screen(a, '10b-partner-declined');
    expect(await seriousViolations(a.page)).toEqual([]);
  }, 60_000);

  it("turns both microphones off for a moderator's pause, and on again when the moderator resumes", async () => {
    const created = await createRoom(server.url, { name: 'Dr. Weber', as: 'moderator' });
    const link = (seat: 'A' | 'B') => `${server.url}/join/${created.roomId}#invite=${created.invites[seat]!}`;
    const [x, y] = await Promise.all([launchPhone(server.url, undefined, { fakeMicrophone: 'allowed' }), launchPhone(server.url, undefined, { fakeMicrophone: 'allowed' })]);
    const moderator = await Member.connect(server.url, created.roomId, created.seatKey);
    try {
      await joinAsPartner(x, link('A'), 'Alex');
      await joinAsPartner(y, link('B'), 'Sam');
      await checkIn(x, { calm: 6, tendency: 'pursue', safe: true });
      await checkIn(y, { calm: 5, tendency: 'withdraw', safe: true });
      for (const phone of [x, y]) await phone.page.evaluate(() => (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem('duologue.callProbe', '1'));
      await button(x.page, en.call.start.replace('{name}', 'Sam')).click();
      await button(y.page, en.call.join).click();
      await Promise.all([audioFlows(x.page), audioFlows(y.page)]);

      await moderator.ok({ type: 'pause' });
      for (const phone of [x, y]) {
        await expect.poll(async () => (await figures(phone.page))?.micEnabled).toBe(false);
        await expect.poll(() => callLine(phone.page)).toBe(en.call.pauseMuted);
      }
      // Muted is quiet: neither phone shows anyone speaking.
      for (const phone of [x, y]) await expect.poll(() => phone.page.locator('[data-test=call-bar] .voices .on').count()).toBe(0);
      await screen(y, '12-paused-muted');
      await moderator.ok({ type: 'resume' });
      for (const phone of [x, y]) await expect.poll(async () => (await figures(phone.page))?.micEnabled).toBe(true);
      await Promise.all([audioFlows(x.page), audioFlows(y.page)]);
    } finally {
      moderator.close();
      await Promise.all([x.close(), y.close()]);
    }
  }, 90_000);

  it('explains a refused microphone in plain words, and starts nothing', async () => {
    const refused = await startDialogue(server.url, 'speaker-listener', { fakeMicrophone: 'refused' });
    try {
      await button(refused.b.page, en.call.start.replace('{name}', 'Alex')).click();
      await refused.b.page.locator('[data-test=call-problem]').getByText(en.call.denied).waitFor();
      expect(await callStatus(refused.b.page)).toBe('idle');
      // Sam's phone never said hello, so Alex's phone shows no call coming in.
      expect(await callStatus(refused.a.page)).toBe('idle');
      await screen(refused.b, '11-microphone-refused');
      expect(await seriousViolations(refused.b.page)).toEqual([]);
    } finally {
      await Promise.all([refused.a.close(), refused.b.close()]);
    }
  }, 90_000);
});
