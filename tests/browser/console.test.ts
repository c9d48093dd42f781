import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchLaptop, launchPhone, mustRunBrowserTests, type Phone } from './support/chromium';
import { saveScreen, seriousViolations } from './support/screens';
import { startServer, type BrowserTestServer } from './support/server';
import { button, checkIn, en, roleOf, stepOf } from './support/talk';
import { consoleEn, inviteField, joinAsPartner, openTherapistRoom, partnerCard, say, type TherapistRoom } from './support/console';

const run = chromiumAvailable || mustRunBrowserTests;

/** What the page's callbacks read (they run in the browser; the test's own types know no DOM). */
type PageGlobals = { localStorage: { getItem(key: string): string | null }; scrollTo(x: number, y: number): void };

describe.skipIf(!run)("a therapist's live console, with two partners' phones", () => {
  let server: BrowserTestServer;
  let t: Phone;
  let a: Phone;
  let b: Phone;
  let first: TherapistRoom;
  let second: TherapistRoom;
  /** Every long-polling request and every WebSocket the three browsers opened to the server. */
  const polls: string[] = [];
  const sockets: string[] = [];

  beforeAll(async () => {
    server = await startServer();
    t = await launchLaptop(server.url);
    a = await launchPhone(server.url);
    b = await launchPhone(server.url);
    for (const device of [t, a, b]) {
      device.page.on('request', (request) => {
        if (request.url().includes('transport=polling')) polls.push(request.url());
      });
      device.page.on('websocket', (ws) => sockets.push(ws.url()));
    }
  });
  afterAll(async () => {
    for (const device of [t, a, b]) await device?.close();
    await server?.stop();
  });

  /** Saves the screen from its top (the laptop's whole page too) and checks it with axe. */
  async function screen(device: Phone, name: string): Promise<void> {
    await device.page.evaluate(() => (globalThis as unknown as PageGlobals).scrollTo(0, 0));
    await saveScreen(device.page, name);
    if (device === t) await saveScreen(device.page, `${name}-full`, { fullPage: true });
    expect(await seriousViolations(device.page), `axe on ${name}`).toEqual([]);
  }
  const card = (seat: 'A' | 'B') => partnerCard(t.page, seat);
  const coachCards = (phone: Phone) => phone.page.locator('[data-test=coach-card]');

  it('opens a room from the console, and both partners join from its two links', async () => {
    // The address a therapist may guess leads to the console too.
    await t.page.goto('/console');
    await t.page.getByRole('heading', { name: consoleEn.home.title }).waitFor();
    expect(new URL(t.page.url()).pathname).toBe('/moderator');
    await t.page.goto('/moderator');
    await t.page.getByRole('heading', { name: consoleEn.home.title }).waitFor();
    await t.page.getByText(consoleEn.home.empty).waitFor();
    await screen(t, '22-console-home');

    // The longest minimum break: a minute is 600 ms here, so a break lasts 72 s, long enough to
    // end it early on a busy machine before it runs out.
    first = await openTherapistRoom(t, { name: 'Dr. Weber', topic: 'How we split the evenings', breakMinutes: 120 });
    // The room's page opens at its top, not as far down as the form's button below the fold was.
    expect(await t.page.evaluate(() => (globalThis as unknown as { scrollY: number }).scrollY)).toBe(0);
    expect(first.links.A).toMatch(/\/join\/[A-Za-z0-9_-]{22,}#invite=[A-Za-z0-9_-]{22,}$/);
    expect(first.links.A).not.toBe(first.links.B);
    await expect.poll(() => t.page.locator('.qr svg').count()).toBe(2);
    await card('A').getByText(consoleEn.presence.invited).waitFor();
    // A coach line can be written before anyone joined: the panel says it waits for them.
    const waits = t.page.locator('[data-test=coach-waits]');
    await waits.getByText(say(consoleEn.coach.waits, { who: `${consoleEn.seat.A} & ${consoleEn.seat.B}` })).waitFor();
    await screen(t, '23-console-invites');

    await joinAsPartner(a, first.links.A, 'Alex');
    // The lobby of a therapist's room speaks of the therapist, not of a partner who made the space.
    await a.page.locator('[data-test=therapist-lobby]').getByText(say(en.moderated.lobby, { name: 'Dr. Weber' })).waitFor();
    // The therapist's name is set apart like every name in a sentence.
    expect(await a.page.locator('[data-test=therapist-lobby] bdi').textContent()).toBe('Dr. Weber');
    const lobbyText = (await a.page.locator('main').textContent()) ?? '';
    expect(lobbyText).not.toContain(en.join.bodyPartner);
    expect(lobbyText).not.toContain(say(en.join.from, { name: 'Dr. Weber' }));
    await screen(a, '24-partner-lobby');
    await card('A').getByRole('heading', { name: /^Alex/ }).waitFor();
    await card('A').getByText(consoleEn.presence.here).waitFor();
    // Alex's link is spent: the console no longer offers it; Sam's still waits.
    expect(await inviteField(t.page, 'A').count()).toBe(0);
    expect(await inviteField(t.page, 'B').count()).toBe(1);

    await waits.getByText(say(consoleEn.coach.waits, { who: consoleEn.seat.B })).waitFor();
    await joinAsPartner(b, first.links.B, 'Sam');
    await card('B').getByRole('heading', { name: /^Sam/ }).waitFor();
    expect(await waits.count()).toBe(0);
    await t.page.locator('[data-test=phase]').getByText(consoleEn.phase.checkin).waitFor();
    // Every connection opens straight as a WebSocket: no long-polling first, whose upgrade a
    // closing page could cut halfway and leave its seat shown online for 45 s.
    expect(sockets.filter((url) => url.includes('/socket.io/')).length).toBeGreaterThanOrEqual(3);
    expect(polls).toEqual([]);
  });

  it('shows both check-ins to the therapist, flags "not safe" there, and never on the other phone', async () => {
    await checkIn(a, { calm: 6, tendency: 'pursue', safe: true });
    await checkIn(b, { calm: 3, tendency: 'withdraw', safe: false });
    await card('A').getByText(say(consoleEn.partner.calm, { n: 6 })).waitFor();
    await card('A').getByText(consoleEn.partner.tendency.pursue).waitFor();
    const flag = card('B').locator('[data-test=unsafe-flag]');
    await flag.getByText(consoleEn.partner.unsafe).waitFor();
    expect(await flag.textContent()).toContain(say(consoleEn.partner.unsafeMeans, { name: 'Sam', other: 'Alex' }));
    expect(await card('A').locator('[data-test=unsafe-flag]').count()).toBe(0);
    await saveScreen(t.page, '25-console-unsafe');

    // Alex sees only that Sam has not checked in yet.
    await a.page.getByText(say(en.checkin.waiting, { name: 'Sam' })).waitFor();
    const alexSees = (await a.page.locator('body').textContent()) ?? '';
    for (const words of [en.safety.title, en.safety.private, say(en.safety.privateModerated, { name: 'Dr. Weber' }), consoleEn.partner.unsafe]) {
      expect(alexSees).not.toContain(words);
    }
    // Sam is told, truthfully, who sees the answer: not Alex, but the therapist.
    await b.page.getByText(say(en.safety.privateModerated, { name: 'Dr. Weber' })).waitFor();

    // Sam's phone goes away (the quick exit would clear the room from it): the console says what
    // that would mean, and stops saying it once the phone is back.
    const away = card('B').locator('[data-test=unsafe-away]');
    await b.page.goto('about:blank');
    await away.getByText(say(consoleEn.partner.unsafeAway, { name: 'Sam' })).waitFor();
    await b.page.goBack();
    await b.page.getByText(say(en.safety.privateModerated, { name: 'Dr. Weber' })).waitFor();
    await expect.poll(() => away.count()).toBe(0);

    // Sam changes the answer; the flag goes and the dialogue opens.
    await button(b.page, en.safety.change).click();
    await checkIn(b, { calm: 5, tendency: 'withdraw', safe: true });
    await expect.poll(() => roleOf(a.page)).toBe(en.dialogue.speaker);
    await expect.poll(() => flag.count()).toBe(0);
    // The console still says that Sam answered "no" earlier: the view keeps only the latest answer.
    await card('B').locator('[data-test=was-unsafe]').getByText(say(consoleEn.partner.wasUnsafe, { name: 'Sam' })).waitFor();
    expect(await card('A').locator('[data-test=was-unsafe]').count()).toBe(0);
    await saveScreen(t.page, '25b-console-was-unsafe');
    await t.page.locator('[data-test=floor]').getByText(say(consoleEn.talk.floor, { speaker: 'Alex', listener: 'Sam' })).waitFor();
  });

  it('follows the talk live: step, whose move, how long the step has run, and the timeline', async () => {
    await button(a.page, en.dialogue.action.share).click();
    await expect.poll(() => stepOf(b.page)).toBe(en.dialogue.steps.mirror);
    const step = t.page.locator('[data-test=step]');
    await step.getByText(say(consoleEn.talk.step, { n: 2, total: 7, step: en.dialogue.steps.mirror })).waitFor();
    await step.getByText(say(consoleEn.talk.whoseMove, { name: 'Sam' })).waitFor();
    // The step's clock runs on the server's time: it counts up by itself.
    const elapsed = t.page.locator('[data-test=elapsed]');
    await expect.poll(() => elapsed.textContent(), { timeout: 5000 }).toMatch(/0:0[1-9]/);
    const timeline = t.page.locator('[data-test=timeline]');
    await timeline.getByText(say(consoleEn.timeline.shared, { who: 'Alex' })).waitFor();
    await timeline.getByText(say(consoleEn.timeline.joined, { who: 'Sam' })).waitFor();
    await button(b.page, en.repairs.button).click();
    await button(b.page, en.repairs.phrases.calm['slow-down']).click();
    await t.page.getByText(say(consoleEn.timeline.repair, { who: 'Sam', phrase: en.repairs.phrases.calm['slow-down'] })).first().waitFor();
  });

  it('pauses both phones on a calm screen of its own, and the break button still works there', async () => {
    await t.page.locator('[data-test=pause]').click();
    for (const phone of [a, b]) {
      await phone.page.locator('[data-test=paused]').getByRole('heading', { name: en.pause.title }).waitFor();
      expect(await phone.page.locator('[data-test=flood]').isEnabled()).toBe(true);
      expect(await phone.page.locator('[data-test=break]').count()).toBe(0);
    }
    await b.page.getByText(say(en.moderated.pauseWhereYou, { turn: 1, step: en.dialogue.stepDoing.mirror })).waitFor();
    await screen(b, '26-partner-pause');
    await b.page.emulateMedia({ colorScheme: 'dark' });
    await screen(b, '27-partner-pause-dark');
    await b.page.emulateMedia({ colorScheme: 'light' });
    await t.page.locator('[data-test=overlay]').getByText(consoleEn.overlay.pause).waitFor();
    // The step is held: nobody's move, and its clock stops showing.
    await t.page.locator('[data-test=held]').getByText(consoleEn.talk.heldPause).waitFor();
    expect(await t.page.locator('[data-test=elapsed]').count()).toBe(0);

    await a.page.locator('[data-test=flood]').click();
    await a.page.locator('[data-test=flood-start]').click();
    await a.page.getByRole('heading', { name: en.break.mine }).waitFor();
    await b.page.getByRole('heading', { name: say(en.break.theirs, { name: 'Alex' }) }).waitFor();
    await t.page.locator('[data-test=held]').getByText(consoleEn.talk.heldBreak).waitFor();
    const brk = t.page.locator('[data-test=break-card]');
    await brk.getByText(new RegExp(`^${say(consoleEn.break.calledBy, { name: 'Alex', time: '\\d' })}`)).waitFor();
    await brk.getByText(say(consoleEn.break.notReady, { name: 'Sam' })).waitFor();
    await brk.scrollIntoViewIfNeeded();
    await saveScreen(t.page, '34-console-break');
    await t.page.locator('[data-test=resume]').click();
    await t.page.locator('[data-test=pause]').waitFor();
  });

  it('ends a break early after a confirmation that names it, and the talk resumes at its step', async () => {
    await t.page.locator('[data-test=end-break]').click();
    const dialog = t.page.getByRole('dialog', { name: say(consoleEn.break.endTitle, { name: 'Alex' }) });
    await dialog.waitFor();
    expect(await dialog.textContent()).toMatch(/Alex called it at \d/);
    await saveScreen(t.page, '28-console-end-break');
    await dialog.locator('[data-test=confirm]').click();
    await expect.poll(() => stepOf(b.page)).toBe(en.dialogue.steps.mirror);
    await expect.poll(() => roleOf(b.page)).toBe(en.dialogue.listener);
    await expect.poll(() => roleOf(a.page)).toBe(en.dialogue.speaker);
    await button(b.page, en.dialogue.action.mirror).waitFor();
    // The console's own view comes over its own connection: it may follow the phones' a moment later.
    await t.page.locator('[data-test=break-card]').waitFor({ state: 'detached' });
    // The timeline says who ended it: the therapist, of Alex's break.
    const timeline = t.page.locator('[data-test=timeline]');
    await timeline.getByText(say(consoleEn.timeline.breakEndedByModerator, { who: 'Alex' })).waitFor();
    expect(await timeline.getByText(say(consoleEn.timeline.breakEnded, { who: 'Alex' })).count()).toBe(0);
  });

  it('sets the step and hands the floor to a partner, each after a question, and both phones say who moved them', async () => {
    const stepBefore = await stepOf(a.page);
    await t.page.locator('[data-test=set-step-heard]').click();
    const stepDialog = t.page.getByRole('dialog', { name: say(consoleEn.controls.setStepTitle, { step: en.dialogue.steps.heard }) });
    await stepDialog.waitFor();
    // "Not now" changes nothing on the phones.
    await stepDialog.getByRole('button', { name: consoleEn.controls.cancel }).click();
    await stepDialog.waitFor({ state: 'hidden' });
    expect(await stepOf(a.page)).toBe(stepBefore);
    await t.page.locator('[data-test=set-step-heard]').click();
    await saveScreen(t.page, '28b-console-set-step');
    await stepDialog.locator('[data-test=confirm]').click();
    await expect.poll(() => stepOf(a.page)).toBe(en.dialogue.steps.heard);
    for (const phone of [a, b]) {
      await phone.page.locator('[data-test=steered]').getByText(say(en.moderated.steeredStep, { therapist: 'Dr. Weber', step: en.dialogue.steps.heard })).waitFor();
    }
    await t.page.locator('[data-test=set-floor-B]').click();
    const floorDialog = t.page.getByRole('dialog', { name: say(consoleEn.controls.giveFloorTitle, { name: 'Sam' }) });
    await floorDialog.waitFor();
    expect(await floorDialog.textContent()).toContain(say(consoleEn.controls.floorBody, { name: 'Sam', other: 'Alex', turn: 2 }));
    await floorDialog.locator('[data-test=confirm]').click();
    await expect.poll(() => roleOf(b.page)).toBe(en.dialogue.speaker);
    await b.page.locator('[data-test=steered]').getByText(say(en.moderated.steeredFloorYou, { therapist: 'Dr. Weber', turn: 2 })).waitFor();
    await a.page.locator('[data-test=steered]').getByText(say(en.moderated.steeredFloor, { therapist: 'Dr. Weber', name: 'Sam', turn: 2 })).waitFor();
    await screen(a, '28c-partner-steered');
    await expect.poll(() => roleOf(a.page)).toBe(en.dialogue.listener);
    await expect.poll(() => stepOf(b.page)).toBe(en.dialogue.steps.share);
    await b.page.getByText(say(en.dialogue.turn, { n: 2 }), { exact: true }).waitFor();
    await t.page.locator('[data-test=floor]').getByText(say(consoleEn.talk.floor, { speaker: 'Sam', listener: 'Alex' })).waitFor();
    await t.page.locator('[data-test=timeline]').getByText(say(consoleEn.timeline.setFloor, { speaker: 'Sam', turn: 2 })).waitFor();
    expect(await t.page.locator('[data-test=console-live]').textContent()).toContain(say(consoleEn.timeline.setFloor, { speaker: 'Sam', turn: 2 }));
    // The floor's holder is offered a new turn rather than the floor.
    await t.page.locator('[data-test=set-floor-B]').getByText(say(consoleEn.controls.newTurn, { name: 'Sam' })).waitFor();
  });

  it('coaches one partner: the line reaches only them, as a card they can put away for good', async () => {
    const coach = t.page.locator('[data-test=coach]');
    const toSam = 'Slow down a little and breathe before you go on.';
    await coach.getByRole('radio', { name: 'Sam', exact: true }).check();
    await coach.getByLabel(consoleEn.coach.text).fill(toSam);
    await button(t.page, consoleEn.coach.send).click();
    await coachCards(b).getByText(toSam).waitFor();
    await coachCards(b).getByText(say(en.moderated.coachFrom, { name: 'Dr. Weber' })).waitFor();
    // A screen reader hears it as it arrives, from a polite live line.
    const said = b.page.locator('[data-test=coach-said]');
    expect(await said.getAttribute('aria-live')).toBe('polite');
    await expect.poll(() => said.textContent()).toContain(toSam);
    await coach.getByText(toSam).waitFor();
    await screen(b, '29-partner-coach');

    // The keyboard is back in the box, ready for the next line, not on the page's body.
    const box = coach.getByLabel(consoleEn.coach.text);
    await expect.poll(() => box.evaluate((el) => el === (el.ownerDocument as unknown as { activeElement: unknown }).activeElement)).toBe(true);

    // A line to both arrives after it, sent from the keyboard (Ctrl+Enter in the box): once Alex has
    // that one, the first line was never sent to Alex.
    const toBoth = 'You are both doing well.';
    await coach.getByRole('radio', { name: consoleEn.coach.both, exact: true }).check();
    await box.fill(toBoth);
    await box.press('Control+Enter');
    await coachCards(a).getByText(toBoth).waitFor();
    await expect.poll(() => box.inputValue()).toBe('');
    expect(await a.page.getByText(toSam).count()).toBe(0);
    await coach.getByText(say(consoleEn.coach.toWhom, { name: 'Sam' }) + ':').waitFor();

    // Sam has both lines now: one card at a time, the first first, saying one more waits; the
    // second is read out as it arrives all the same.
    await b.page.locator('[data-test=coach-more]').getByText('one more line after this').waitFor();
    expect(await coachCards(b).count()).toBe(1);
    expect(await coachCards(b).getByText(toBoth).count()).toBe(0);
    await expect.poll(() => said.textContent()).toContain(toBoth);
    await coachCards(b).filter({ hasText: toSam }).getByRole('button', { name: en.moderated.coachDismiss }).click();
    await expect.poll(() => coachCards(b).filter({ hasText: toSam }).count()).toBe(0);
    await coachCards(b).getByText(toBoth).waitFor();
    // The keyboard goes on to the next card's "Got it", not to the page's body.
    expect(await b.page.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string } | null } }).document.activeElement?.textContent?.trim())).toBe(en.moderated.coachDismiss);
    expect(await b.page.locator('[data-test=coach-more]').count()).toBe(0);
    await b.page.reload();
    await coachCards(b).getByText(toBoth).waitFor();
    expect(await coachCards(b).filter({ hasText: toSam }).count()).toBe(0);
  });

  it("says a partner's phone, and the console, cannot tell who is there while its own connection is down", async () => {
    // In the dialogue the therapist's line is the short one in the role banner, as the partner's beside it.
    const therapist = a.page.locator('[data-test=role-banner] [data-test=therapist]');
    await therapist.getByText(`Dr. Weber, ${en.common.online}`).waitFor();
    await a.context.setOffline(true);
    await therapist.getByText(`Dr. Weber, ${en.common.unknown}`).waitFor();
    await a.context.setOffline(false);
    await therapist.getByText(`Dr. Weber, ${en.common.online}`).waitFor({ timeout: 20_000 });

    // The console, offline, cannot tell either; back online, it says who is here again.
    await t.context.setOffline(true);
    await card('A').getByText(consoleEn.presence.unknown).waitFor();
    expect(await card('A').getByText(consoleEn.presence.here).count()).toBe(0);
    await t.context.setOffline(false);
    await card('A').getByText(consoleEn.presence.here).waitFor({ timeout: 20_000 });
  });

  it('keeps private notes, and the console passes axe in light and dark, on a laptop and a tablet', async () => {
    const note = 'Sam softened after the pause.';
    await t.page.locator('[data-test=notes]').getByLabel(consoleEn.notes.text).fill(note);
    await button(t.page, consoleEn.notes.save).click();
    await t.page.locator('[data-test=notes]').getByText(note).waitFor();
    expect(await a.page.getByText(note).count()).toBe(0);
    expect(await b.page.getByText(note).count()).toBe(0);

    await screen(t, '30-console');
    await t.page.emulateMedia({ colorScheme: 'dark' });
    await screen(t, '31-console-dark');
    await t.page.setViewportSize({ width: 820, height: 1180 });
    await screen(t, '32-console-tablet');
    await t.page.emulateMedia({ colorScheme: 'light' });
    const top = async (selector: string) => (await t.page.locator(selector).first().boundingBox())!;
    // On a phone the columns stack with the talk and its controls first, above both partners and
    // the timeline; on a laptop the talk's column is the left one, as it is first in the page.
    await t.page.setViewportSize({ width: 390, height: 844 });
    await screen(t, '32b-console-phone');
    const pause = t.page.getByRole('button', { name: consoleEn.controls.pause });
    expect((await pause.boundingBox())!.y, 'Pause comes before the partners').toBeLessThan((await top('[data-test=partner-A]')).y);
    expect((await pause.boundingBox())!.y + 44, 'Pause is on the first screen').toBeLessThan(844);
    await t.page.setViewportSize({ width: 1280, height: 800 });
    expect((await pause.boundingBox())!.x).toBeLessThan((await top('[data-test=partner-A]')).x);
  });

  it('answers a refused command on screen in plain words', async () => {
    // Sam takes a break; the therapist starts to end it, but Sam moves its return time first.
    await b.page.locator('[data-test=flood]').click();
    await b.page.locator('[data-test=flood-start]').click();
    await t.page.locator('[data-test=end-break]').click();
    const dialog = t.page.getByRole('dialog', { name: say(consoleEn.break.endTitle, { name: 'Sam' }) });
    await dialog.waitFor();
    await button(b.page, en.break.extend).click();
    await b.page.getByRole('button', { name: / more, back at / }).first().click();
    await t.page.locator('[data-test=timeline]').getByText(new RegExp(`^${say(consoleEn.timeline.breakExtended, { who: 'Sam', time: '' })}`)).waitFor();
    await dialog.locator('[data-test=confirm]').click();
    // The console acted on a break that has changed since: the server says so, in plain words.
    await t.page.locator('[data-test=console-notice]').getByText(en.errors.stale).waitFor();
    expect(await t.page.locator('[data-test=break-card]').count()).toBe(1);
    // Asked again on what it shows now, the break ends.
    await t.page.locator('[data-test=end-break]').click();
    await t.page.getByRole('dialog', { name: say(consoleEn.break.endTitle, { name: 'Sam' }) }).locator('[data-test=confirm]').click();
    await expect.poll(() => roleOf(b.page)).toBe(en.dialogue.speaker);
    await expect.poll(() => t.page.locator('[data-test=console-notice]').count()).toBe(0);
  });

  it('lists every room of this browser live, and keeps a room with its invites across a reload', async () => {
    second = await openTherapistRoom(t, { name: 'Dr. Weber', topic: 'Second couple' });
    await t.page.reload();
    for (const seat of ['A', 'B'] as const) {
      await expect.poll(() => inviteField(t.page, seat).inputValue()).toBe(second.links[seat]);
    }
    await t.page.getByText('Second couple').waitFor();
    // The therapist's own seat opens in the console, never on a partner's screen.
    await t.page.goto(`/room/${second.roomId}`);
    await t.page.waitForURL(`**${second.consolePath}`);
    await inviteField(t.page, 'A').waitFor();

    await t.page.getByRole('link', { name: consoleEn.allRooms }).click();
    const cards = t.page.locator('[data-test=room-card]');
    await expect.poll(() => cards.count()).toBe(2);
    const talking = cards.filter({ hasText: 'Alex & Sam' });
    // A room nobody joined yet is called by when it was opened.
    await cards.filter({ hasText: /^\s*Room opened / }).first().waitFor();
    const waiting = cards.filter({ hasText: 'Second couple' });
    await talking.getByText(consoleEn.phase.dialogue).waitFor();
    await talking.getByText(`Sam: ${consoleEn.presence.here}`).waitFor();
    await waiting.getByText(consoleEn.phase.lobby).waitFor();
    await waiting.getByText(`${consoleEn.seat.A}: ${consoleEn.presence.invited}`).waitFor();
    // Live: a break and a partner leaving show on the list as they happen.
    await a.page.locator('[data-test=flood]').click();
    await a.page.locator('[data-test=flood-start]').click();
    await talking.locator('[data-test=overlay]').getByText(/^Break until \d/).waitFor();
    await a.page.goto('about:blank');
    await talking.getByText(`Alex: ${consoleEn.presence.away}`).waitFor();
    await screen(t, '33-console-rooms');
    await a.page.goBack();
    await talking.getByText(`Alex: ${consoleEn.presence.here}`).waitFor();
    // Leaving the console closes its connections: the partners see the therapist go.
    await t.page.goto('/');
    await a.page.getByText(say(en.moderated.away, { name: 'Dr. Weber' })).waitFor();
    await t.page.goBack();
    await a.page.getByText(say(en.moderated.here, { name: 'Dr. Weber' })).waitFor();
  });

  it('deletes a room for everyone and forgets one on this device, each after a confirmation', async () => {
    const cards = t.page.locator('[data-test=room-card]');
    const waiting = cards.filter({ hasText: 'Second couple' });
    const key = await t.page.evaluate((id) => JSON.parse((globalThis as unknown as PageGlobals).localStorage.getItem(`duologue:seat:${id}`) ?? '{}').seatKey as string, second.roomId);
    await waiting.getByRole('button', { name: consoleEn.list.delete }).click();
    const asked = t.page.getByRole('dialog', { name: consoleEn.list.deleteTitle });
    await asked.waitFor();
    await asked.locator('[data-test=confirm]').click();
    await expect.poll(() => cards.count()).toBe(1);
    const gone = await fetch(`${server.url}/api/rooms/${second.roomId}/summary`, { headers: { authorization: `Bearer ${key}` } });
    expect(gone.status).toBe(404);

    // The session ends from the console; then the room is forgotten here and goes on for the partners.
    await t.page.goto(first.consolePath);
    // Alex's break (from the list's test) still runs: the line to both, written for the talk (the
    // test of coaching above), waits on Sam's phone until it is over; a line sent now shows at once.
    await b.page.locator('[data-test=break]').waitFor();
    expect(await b.page.locator('[data-test=coach-card]').count()).toBe(0);
    const coach = t.page.locator('[data-test=coach]');
    await coach.getByRole('radio', { name: 'Sam', exact: true }).check();
    await coach.getByLabel(consoleEn.coach.text).fill('Stay with your breath for now.');
    await button(t.page, consoleEn.coach.send).click();
    await b.page.locator('[data-test=coach-card]').getByText('Stay with your breath for now.').waitFor();
    await t.page.locator('[data-test=end]').click();
    await t.page.getByRole('dialog', { name: consoleEn.controls.endTitle }).locator('[data-test=confirm]').click();
    for (const phone of [a, b]) await phone.page.getByRole('heading', { name: en.summary.title }).waitFor();
    await t.page.locator('[data-test=phase]').getByText(consoleEn.phase.ended).waitFor();
    // The therapist gets the session's figures too, the same the partners' summaries show.
    const figures = t.page.locator('[data-test=console-summary]');
    await figures.locator('[data-test=console-talking]').waitFor();
    expect(await figures.locator('[data-test=console-talking]').textContent()).toBe(await a.page.locator('[data-test=talking]').textContent());
    for (const row of [en.summary.floor, en.summary.turns, en.summary.missed, en.summary.breaks, en.summary.repairs]) await figures.getByText(row).first().waitFor();
    await figures.getByText(consoleEn.summary.noNext).waitFor();
    await screen(t, '34-console-ended');
    // Nothing changes after the end: the console offers no control, note or line any more, and says why.
    await t.page.locator('[data-test=notes-ended]').getByText(consoleEn.notes.ended).waitFor();
    await t.page.locator('[data-test=coach-ended]').getByText(consoleEn.coach.ended).waitFor();
    expect(await t.page.locator('[data-test=controls]').count()).toBe(0);
    expect(await t.page.locator('#note-text').count()).toBe(0);
    // The coach's cards are gone from the partners' summaries; the talk they spoke to is over.
    for (const phone of [a, b]) expect(await phone.page.locator('[data-test=coach-card]').count()).toBe(0);
    await t.page.getByRole('link', { name: consoleEn.allRooms }).click();
    await cards.first().getByRole('button', { name: consoleEn.list.forget }).click();
    await t.page.getByRole('dialog', { name: consoleEn.list.forgetTitle }).locator('[data-test=confirm]').click();
    await t.page.getByText(consoleEn.home.empty).waitFor();
    const kept = await t.page.evaluate(() => Object.keys((globalThis as unknown as PageGlobals).localStorage).filter((k) => k.startsWith('duologue:')));
    expect(kept).toEqual([]);
    // Forgetting is local: Alex's summary is still there.
    await a.page.reload();
    await a.page.getByRole('heading', { name: en.summary.title }).waitFor();
  });
});
