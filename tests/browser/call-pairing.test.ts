import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_DIST } from '../../server/client-build';
import { chromiumAvailable, launchPhone, mustRunBrowserTests, type Phone } from './support/chromium';
import { startServer, type BrowserTestServer } from './support/server';

const run = chromiumAvailable || mustRunBrowserTests;

/**
 * Two ends of a call in one Chromium page, each the client's real `PeerCall` (the built chunk),
 * joined by a signalling wire this test holds in its hand: it can keep a phone's incoming
 * signals back and let them through later, which is how signals of a replaced connection come
 * late on a real network. The voice-call test (call.test.ts) covers the whole app; this one
 * plays the orderings it cannot time.
 */
const HARNESS = String.raw`
window.__pair = (() => {
  let PeerCall = null;
  const phones = {};
  const inbox = { A: [], B: [] };
  const held = { A: false, B: false };
  // Hold a phone's incoming signals from the first one of this kind on.
  const trap = { A: null, B: null };
  const sent = [];
  const other = (seat) => (seat === 'A' ? 'B' : 'A');
  const flush = (seat) => {
    while (!held[seat] && inbox[seat].length > 0) {
      const signal = inbox[seat].shift();
      // A phone not in the call hears nothing.
      if (phones[seat]) phones[seat].receive(signal);
    }
  };
  return {
    async load(url) {
      ({ PeerCall } = await import(url));
    },
    async open(seat) {
      const mic = await navigator.mediaDevices.getUserMedia({ audio: true });
      const quiet = () => undefined;
      phones[seat] = new PeerCall(mic, seat === 'B', { iceServers: [] }, {
        send: (signal) => {
          sent.push({ from: seat, kind: signal.kind });
          if (trap[other(seat)] === signal.kind) {
            held[other(seat)] = true;
            trap[other(seat)] = null;
          }
          inbox[other(seat)].push(signal);
          // Delivered a moment later, as over a socket.
          setTimeout(() => flush(other(seat)), 0);
        },
        status: quiet, levels: quiet, partnerMuted: quiet, soundBlocked: quiet,
      });
    },
    hello: (seat) => phones[seat].hello(),
    rejoin: (seat) => phones[seat].rejoin(),
    hold: (seat) => void (held[seat] = true),
    holdFrom: (seat, kind) => void (trap[seat] = kind),
    release: (seat) => { held[seat] = false; flush(seat); },
    waiting: (seat) => inbox[seat].map((signal) => signal.kind),
    lose: (seat) => void (inbox[seat].length = 0),
    sent: () => sent.slice(),
    figures: (seat) => phones[seat].figures(),
    // Reaches into the connections (a test's liberty): both restart ICE at the same moment, and
    // whether each one's ICE credentials are those the other holds for it.
    restartBoth() {
      phones.A.pc.restartIce();
      phones.B.pc.restartIce();
    },
    agreed() {
      const ufrag = (description) => /a=ice-ufrag:(\S+)/.exec(description?.sdp ?? '')?.[1] ?? null;
      const [a, b] = [phones.A.pc, phones.B.pc];
      const mine = [ufrag(a.currentLocalDescription), ufrag(b.currentLocalDescription)];
      return mine[0] !== null && mine[0] === ufrag(b.currentRemoteDescription) && mine[1] === ufrag(a.currentRemoteDescription)
        && a.signalingState === 'stable' && b.signalingState === 'stable';
    },
    closeAll() {
      for (const seat of ['A', 'B']) phones[seat]?.close();
      delete phones.A;
      delete phones.B;
      inbox.A.length = inbox.B.length = 0;
      held.A = held.B = false;
      trap.A = trap.B = null;
      sent.length = 0;
    },
  };
})();
`;

interface Figures {
  connectionState: string;
  signalingState: string;
  bytesReceived: number;
  paired: boolean;
}

describe.skipIf(!run)("pairing the two phones' connections of a call", () => {
  let server: BrowserTestServer;
  let phone: Phone;
  const call = <T>(expression: string): Promise<T> => phone.page.evaluate(expression) as Promise<T>;
  const figures = (seat: 'A' | 'B') => call<Figures>(`window.__pair.figures('${seat}')`);
  const sentBy = async (seat: 'A' | 'B', kind: string) =>
    (await call<Array<{ from: string; kind: string }>>(`window.__pair.sent()`)).filter((s) => s.from === seat && s.kind === kind).length;
  const answersFrom = (seat: 'A' | 'B') => sentBy(seat, 'answer');
  const offersFrom = (seat: 'A' | 'B') => sentBy(seat, 'offer');

  /** Both ends connected, and each hears the other's fake microphone; answers when both were connected (ms). */
  async function bothHear(): Promise<number> {
    for (const seat of ['A', 'B'] as const) {
      await expect.poll(async () => (await figures(seat)).connectionState, { timeout: 15_000, message: `${seat} connects` }).toBe('connected');
    }
    const connectedAt = Date.now();
    const first = await Promise.all([figures('A'), figures('B')]);
    await expect.poll(async () => (await figures('A')).bytesReceived, { timeout: 10_000 }).toBeGreaterThan(first[0].bytesReceived + 1000);
    await expect.poll(async () => (await figures('B')).bytesReceived, { timeout: 10_000 }).toBeGreaterThan(first[1].bytesReceived + 1000);
    return connectedAt;
  }

  beforeAll(async () => {
    server = await startServer();
    phone = await launchPhone(server.url, undefined, { fakeMicrophone: 'allowed' });
    await phone.page.goto('/');
    const chunk = readdirSync(join(CLIENT_DIST, 'assets')).find((name) => /^peer-call-.*\.js$/.test(name));
    if (chunk === undefined) throw new Error('the built client has no peer-call chunk');
    await phone.page.evaluate(HARNESS);
    await call(`window.__pair.load('/assets/${chunk}')`);
  }, 60_000);
  afterEach(async () => {
    await call('window.__pair.closeAll()');
  });
  afterAll(async () => {
    await phone?.close();
    await server?.stop();
  });

  it('joins with one offer and one answer; a phone alone in the call offers nothing', async () => {
    await call(`window.__pair.open('A')`);
    await call(`window.__pair.hello('A')`);
    // Alex waits for Sam: the connection is not paired and sends no description into the void.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await call(`window.__pair.sent()`)).toEqual([{ from: 'A', kind: 'hello' }]);
    expect((await figures('A')).paired).toBe(false);

    await call(`window.__pair.open('B')`);
    await call(`window.__pair.hello('B')`);
    await bothHear();
    const kinds = (await call<Array<{ from: string; kind: string }>>(`window.__pair.sent()`)).filter((s) => s.kind === 'offer' || s.kind === 'answer');
    expect(kinds).toEqual([
      { from: 'A', kind: 'offer' },
      { from: 'B', kind: 'answer' },
    ]);
  }, 60_000);

  it('drops what a replaced connection sent: a rejoin while the offer is on its way still connects', async () => {
    await call(`window.__pair.open('A')`);
    await call(`window.__pair.hello('A')`);
    await call(`window.__pair.open('B')`);
    // Sam's signals are held back: Alex's offer to Sam's first connection waits on the wire...
    await call(`window.__pair.hold('B')`);
    await call(`window.__pair.hello('B')`);
    await expect.poll(() => call<string[]>(`window.__pair.waiting('B')`)).toContain('offer');
    // ...when Sam's phone starts over (a reload, or a rejoin after a long drop), and Alex's phone
    // answers that with a fresh connection and a new offer.
    await call(`window.__pair.rejoin('B')`);
    await expect.poll(async () => (await call<string[]>(`window.__pair.waiting('B')`)).filter((kind) => kind === 'offer').length).toBe(2);
    // Now everything arrives, the old offer first: it is meant for a connection that is gone, and
    // Sam's new connection answers only the offer meant for it.
    await call(`window.__pair.release('B')`);
    await bothHear();
    expect(await answersFrom('B')).toBe(1);
  }, 60_000);

  it("pairs again with the partner's newest connection when a stale hello paired it with one that is gone", async () => {
    await call(`window.__pair.open('A')`);
    await call(`window.__pair.open('B')`);
    await call(`window.__pair.hold('A')`);
    await call(`window.__pair.hold('B')`);
    // Sam says hello; Alex pairs and offers, but the offer waits on the wire.
    await call(`window.__pair.hello('B')`);
    await call(`window.__pair.release('A')`);
    await expect.poll(() => call<string[]>(`window.__pair.waiting('B')`)).toContain('offer');
    await call(`window.__pair.hold('A')`);
    // Sam's phone, still waiting, says its hello again; Alex's phone starts over meanwhile.
    await call(`window.__pair.hello('B')`);
    await call(`window.__pair.rejoin('A')`);
    const started = Date.now();
    // Alex's fresh connection hears the stale hello and pairs with Sam's old connection, while
    // Sam's phone takes the first offer, then Alex's new hello, and pairs a fresh connection with it.
    await call(`window.__pair.release('A')`);
    await call(`window.__pair.release('B')`);
    // Settled by the pairing itself, long before a stalled pairing would start over (20 s).
    expect((await bothHear()) - started).toBeLessThan(15_000);
  }, 60_000);

  // A socket reconnecting loses what was sent to it meanwhile: Alex's offer on its way to Sam's
  // phone, or Sam's answer on its way back. Either way Alex's phone sends the offer again.
  it.each([
    { lost: 'offer', at: 'B', by: 'A' },
    { lost: 'answer', at: 'A', by: 'B' },
  ] as const)('sends an offer again when the $lost was lost on the way', async ({ lost, at, by }) => {
    await call(`window.__pair.open('A')`);
    await call(`window.__pair.open('B')`);
    await call(`window.__pair.holdFrom('${at}', '${lost}')`);
    await call(`window.__pair.hello('B')`);
    await expect.poll(() => call<string[]>(`window.__pair.waiting('${at}')`)).toContain(lost);
    // The held signal and every one after it (the candidates) never arrive.
    await call(`window.__pair.lose('${at}')`);
    const started = Date.now();
    await call(`window.__pair.release('${at}')`);
    expect((await bothHear()) - started).toBeLessThan(15_000);
    expect(await sentBy(by, lost)).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it('answers a repeated offer again, and takes only the first of two answers when the first was late', async () => {
    await call(`window.__pair.open('A')`);
    await call(`window.__pair.open('B')`);
    await call(`window.__pair.holdFrom('A', 'answer')`);
    await call(`window.__pair.hello('B')`);
    // Sam's answer is slow to arrive: Alex's phone sends its offer again, and Sam's answers it again.
    await expect.poll(() => answersFrom('B'), { timeout: 10_000 }).toBe(2);
    await call(`window.__pair.release('A')`);
    await bothHear();
    expect(await call(`window.__pair.agreed()`)).toBe(true);
    // The ignored second answer left nothing behind: two ICE restarts that cross afterwards are
    // settled by the polite phone, and both end on the same new credentials.
    const restartsBefore = await offersFrom('A');
    await call(`window.__pair.restartBoth()`);
    await expect.poll(() => offersFrom('A')).toBeGreaterThan(restartsBefore);
    await expect.poll(() => call<boolean>(`window.__pair.agreed()`), { timeout: 10_000 }).toBe(true);
    await bothHear();
  }, 60_000);

  it('connects when both phones start over at the same moment (the hellos cross)', async () => {
    await call(`window.__pair.open('A')`);
    await call(`window.__pair.open('B')`);
    await call(`window.__pair.hello('B')`);
    await bothHear();
    await call(`window.__pair.hold('A')`);
    await call(`window.__pair.hold('B')`);
    await call(`window.__pair.rejoin('A')`);
    await call(`window.__pair.rejoin('B')`);
    await call(`window.__pair.release('A')`);
    await call(`window.__pair.release('B')`);
    await bothHear();
  }, 60_000);

  it('says hello again while it waits, so a partner who missed it still hears the call', async () => {
    await call(`window.__pair.open('A')`);
    await call(`window.__pair.open('B')`);
    // Both phones are in the call, and each one's hello was lost on the way (a reconnecting socket).
    await call(`window.__pair.hold('A')`);
    await call(`window.__pair.hold('B')`);
    await call(`window.__pair.hello('A')`);
    await call(`window.__pair.hello('B')`);
    await call(`window.__pair.lose('A')`);
    await call(`window.__pair.lose('B')`);
    await call(`window.__pair.release('A')`);
    await call(`window.__pair.release('B')`);
    // Each says its hello again within a few seconds, and the call is made.
    await bothHear();
  }, 60_000);
});
