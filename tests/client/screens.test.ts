import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { claimSeat, createRoom, viewFor, type Room } from '../../protocol';
import { MIN, T0, inDialogue, newRoom, ok, seated } from '../protocol/helpers';
import en from '../../client/src/i18n/en';
import de from '../../client/src/i18n/de';
import { renderScreen, textOf } from './render';
import { offeredName } from '../../client/src/lib/console-words';

// The stores import the tab's socket; a stand-in keeps Socket.IO out of Node.
vi.mock('../../client/src/lib/socket', () => ({ socket: { on: () => undefined, io: { on: () => undefined } }, openRoomSocket: () => false, closeRoomSocket: () => undefined }));

const { useRoomStore } = await import('../../client/src/stores/room');
const { useConsoleStore } = await import('../../client/src/stores/console');
const { default: CheckInPanel } = await import('../../client/src/components/phases/CheckInPanel.vue');
const { default: DialoguePanel } = await import('../../client/src/components/phases/DialoguePanel.vue');
const { default: PausePanel } = await import('../../client/src/components/phases/PausePanel.vue');
const { default: ClosingPanel } = await import('../../client/src/components/phases/ClosingPanel.vue');
const { default: BreakPanel } = await import('../../client/src/components/phases/BreakPanel.vue');
const { default: LobbyPanel } = await import('../../client/src/components/phases/LobbyPanel.vue');
const { default: CoachCards } = await import('../../client/src/components/talk/CoachCards.vue');
const { default: SummaryPanel } = await import('../../client/src/components/phases/SummaryPanel.vue');
const { default: NextTalk } = await import('../../client/src/components/talk/NextTalk.vue');
const { default: TherapistPresence } = await import('../../client/src/components/talk/TherapistPresence.vue');
const { default: NewRoomForm } = await import('../../client/src/components/console/NewRoomForm.vue');

/** A day after the scenario's start: the time Ben proposes instead of now. */
const LATER = T0 + 24 * 60 * MIN;

/** Ana's phone (seat A) showing `component` with the room as the server last told it. */
function onPhoneOf(room: Room, seat: 'A' | 'B' = 'A', now = T0): (pinia: unknown) => void {
  return () => useRoomStore().receive(viewFor(room, seat, now));
}

/** Ben (B) joined and answered "another time" with a time of his own, while Ana went on to her check-in. */
function benAsksLater(): Room {
  return ok(seated(), 'B', { type: 'proposeTime', at: new Date(LATER).toISOString() }, T0 + 1000).room;
}

describe('"another time" from the invited partner, on the check-in screens', () => {
  it("is said at once above the inviter's check-in form, with the proposed time, and can be answered there", async () => {
    const text = textOf(await renderScreen(CheckInPanel, { prepare: onPhoneOf(benAsksLater()) }));
    // Said once, with the time in the card that answers it.
    expect(text).toContain(en.invite.anotherTime.replace('{name}', 'Ben'));
    expect(text).toMatch(/Ben suggests .+ \(your time\)\./);
    // Accepted or answered with another time before Ana checks in, if she likes.
    expect(text).toContain(en.time.accept);
    expect(text).toContain(en.invite.orPropose);
    expect(text).toContain(en.checkin.title);
  });

  it('after the check-in, says Ben asked for another time, not that Ana waits for him to check in', async () => {
    const room = ok(benAsksLater(), 'A', { type: 'checkIn', calm: 6, tendency: 'pursue', safe: true }, T0 + 2000).room;
    const text = textOf(await renderScreen(CheckInPanel, { prepare: onPhoneOf(room) }));
    expect(text).toContain(en.invite.anotherTime.replace('{name}', 'Ben'));
    expect(text).not.toContain(en.checkin.waiting.replace('{name}', 'Ben'));
    // Ana is not asked whether she would rather talk later: Ben asked, and she answers his time.
    expect(text).not.toContain(en.checkin.notNow);
    expect(text).toMatch(/Ben suggests .+ \(your time\)\./);
    expect(text).toContain(en.time.accept);
  });

  it('keeps saying Ben asked for another time after Ana answers with a time of her own', async () => {
    const checkedIn = ok(benAsksLater(), 'A', { type: 'checkIn', calm: 6, tendency: 'pursue', safe: true }, T0 + 2000).room;
    const counter = ok(checkedIn, 'A', { type: 'proposeTime', at: new Date(LATER + 60 * MIN).toISOString() }, T0 + 3000).room;
    const text = textOf(await renderScreen(CheckInPanel, { prepare: onPhoneOf(counter) }));
    expect(text).toContain(en.invite.anotherTime.replace('{name}', 'Ben'));
    expect(text).not.toContain(en.checkin.waiting.replace('{name}', 'Ben'));
    expect(text).toMatch(/You suggested .+ \(your time\)\. Waiting for Ben\./);
  });

  it("above the form, after Ana's counter-proposal, does not give her own time as Ben's", async () => {
    const counter = ok(benAsksLater(), 'A', { type: 'proposeTime', at: new Date(LATER + 60 * MIN).toISOString() }, T0 + 3000).room;
    const text = textOf(await renderScreen(CheckInPanel, { prepare: onPhoneOf(counter) }));
    expect(text).toContain(en.invite.anotherTime.replace('{name}', 'Ben'));
    // The one time on the screen is Ana's own, said as hers.
    expect(text.match(/\(your time\)/g)).toHaveLength(1);
    expect(text).toMatch(/You suggested .+ \(your time\)\. Waiting for Ben\./);
  });

  it('names the time on the "not safe" screen too, where the answer card also shows', async () => {
    const unsafe = ok(benAsksLater(), 'A', { type: 'checkIn', calm: 2, tendency: 'unsure', safe: false }, T0 + 2000).room;
    // The safety screen picks its support lines from the browser's languages; Node has no navigator.
    vi.stubGlobal('navigator', { languages: ['en-GB'], language: 'en-GB' });
    onTestFinished(() => {
      vi.unstubAllGlobals();
    });
    const text = textOf(await renderScreen(CheckInPanel, { prepare: onPhoneOf(unsafe) }));
    expect(text).toContain(en.invite.anotherTime.replace('{name}', 'Ben'));
    expect(text).toMatch(/Ben suggests .+ \(your time\)\./);
  });

  it('stays said on the inviter\'s "Ben is here" screen after she answers with a time of her own', async () => {
    const counter = ok(benAsksLater(), 'A', { type: 'proposeTime', at: new Date(LATER + 60 * MIN).toISOString() }, T0 + 3000).room;
    const text = textOf(await renderScreen(LobbyPanel, { prepare: onPhoneOf(counter) }));
    expect(text).toContain(en.invite.partnerHere.replace('{name}', 'Ben'));
    expect(text).toContain(en.invite.anotherTime.replace('{name}', 'Ben'));
    expect(text).toMatch(/You suggested .+ \(your time\)\. Waiting for Ben\./);
  });

  it('still waits for the partner when no other time was asked', async () => {
    const room = ok(seated(), 'A', { type: 'checkIn', calm: 6, tendency: 'pursue', safe: true }, T0 + 2000).room;
    const text = textOf(await renderScreen(CheckInPanel, { prepare: onPhoneOf(room) }));
    expect(text).toContain(en.checkin.waiting.replace('{name}', 'Ben'));
    expect(text).toContain(en.checkin.notNow);
    expect(text).not.toContain('another time');
  });
});

describe('"another time" from the partner who checked in first', () => {
  /** Ana checked in, then asked to talk another time instead. */
  function anaAsksLater(): Room {
    const ana = ok(seated(), 'A', { type: 'checkIn', calm: 6, tendency: 'pursue', safe: true }, T0).room;
    return ok(ana, 'A', { type: 'proposeTime', at: new Date(LATER).toISOString() }, T0 + 1000).room;
  }

  it('is said above the check-in form of the partner still to check in, with her time to answer', async () => {
    const text = textOf(await renderScreen(CheckInPanel, { prepare: onPhoneOf(anaAsksLater(), 'B', T0 + 2000) }));
    expect(text).toContain(en.invite.anotherTime.replace('{name}', 'Ana'));
    expect(text).toMatch(/Ana suggests .+ \(your time\)\./);
    expect(text).toContain(en.time.accept);
    expect(text).toContain(en.checkin.title);
  });

  it("is not put on Ben when he answers her wish with a time of his own: on Ana's phone it stays hers", async () => {
    const counter = ok(anaAsksLater(), 'B', { type: 'proposeTime', at: new Date(LATER + 60 * MIN).toISOString() }, T0 + 3000).room;
    const ana = textOf(await renderScreen(CheckInPanel, { prepare: onPhoneOf(counter, 'A', T0 + 4000) }));
    expect(ana).not.toContain(en.invite.anotherTime.replace('{name}', 'Ben'));
    expect(ana).toMatch(/Ben suggests .+ \(your time\)\./);
    // Ben's phone still says it was Ana who asked.
    const ben = textOf(await renderScreen(CheckInPanel, { prepare: onPhoneOf(counter, 'B', T0 + 4000) }));
    expect(ben).toContain(en.invite.anotherTime.replace('{name}', 'Ana'));
  });

  it('is set aside by a check-in made after the proposal: that partner is ready now', async () => {
    const benThenIn = ok(benAsksLater(), 'B', { type: 'checkIn', calm: 6, tendency: 'unsure', safe: true }, T0 + 2000).room;
    const text = textOf(await renderScreen(CheckInPanel, { prepare: onPhoneOf(benThenIn, 'A', T0 + 3000) }));
    expect(text).not.toContain(en.invite.anotherTime.replace('{name}', 'Ben'));
    expect(text).toContain(en.checkin.title);
  });
});

describe("the therapist's lines during a break", () => {
  it('keeps a line sent for the talk until the break is over, and shows one sent during it', async () => {
    const before = 'Tell Ben how the evenings feel for you.';
    const during = 'Breathe out slowly. There is no hurry.';
    let room = inDialogue({ as: 'moderator' }, T0);
    room = ok(room, 'moderator', { type: 'coach', to: 'A', text: before }, T0 + 1000).room;
    room = ok(room, 'A', { type: 'flood' }, T0 + 2000).room;
    const onBreak = (r: Room, now: number) => renderScreen(CoachCards, { prepare: onPhoneOf(r, 'A', now) }).then(textOf);
    expect(await onBreak(room, T0 + 3000)).not.toContain(before);
    const coached = ok(room, 'moderator', { type: 'coach', to: 'A', text: during }, T0 + 4000).room;
    const text = await onBreak(coached, T0 + 5000);
    expect(text).toContain(during);
    expect(text).not.toContain(before);
    // The break over, the line written for the talk comes first, with one more after it.
    const back = ok(ok(coached, 'B', { type: 'ready' }, T0 + 20 * MIN).room, 'A', { type: 'ready' }, T0 + 22 * MIN).room;
    expect(back.break).toBeNull();
    const after = await onBreak(back, T0 + 23 * MIN);
    expect(after).toContain(before);
    expect(after).not.toContain(during);
  });
});

describe('who sees the check-in answers', () => {
  it('is only the partner in a room of two, and the therapist too in a therapist\'s room, on the form and on the "not safe" screen', async () => {
    vi.stubGlobal('navigator', { languages: ['en-GB'], language: 'en-GB' });
    onTestFinished(() => {
      vi.unstubAllGlobals();
    });
    const plain = textOf(await renderScreen(CheckInPanel, { prepare: onPhoneOf(seated(), 'B') }));
    expect(plain).toContain(en.checkin.private);
    // The therapist sees the answers: the form says so.
    let guided = createRoom({ name: 'Dr. Weber', id: 'room-0123456789abcdefghij', minuteMs: MIN, as: 'moderator' }, T0).room;
    for (const [seat, name] of [['A', 'Ana'], ['B', 'Ben']] as const) guided = claimSeat(guided, seat, name, T0).room;
    const form = textOf(await renderScreen(CheckInPanel, { prepare: onPhoneOf(guided, 'B') }));
    expect(form).toContain(en.checkin.privateModerated.replace('{name}', 'Dr. Weber'));
    expect(form).not.toContain(en.checkin.private);
    const unsafe = ok(guided, 'B', { type: 'checkIn', calm: 2, tendency: 'unsure', safe: false }, T0 + 1000).room;
    const safety = textOf(await renderScreen(CheckInPanel, { prepare: onPhoneOf(unsafe, 'B', T0 + 2000) }));
    expect(safety).toContain(en.safety.privateModerated.replace('{name}', 'Dr. Weber'));
    const alone = ok(seated(), 'B', { type: 'checkIn', calm: 2, tendency: 'unsure', safe: false }, T0 + 1000).room;
    const plainSafety = textOf(await renderScreen(CheckInPanel, { prepare: onPhoneOf(alone, 'B', T0 + 2000) }));
    expect(plainSafety).toContain(en.safety.private);
    expect(plainSafety).not.toContain('therapist');
  });

  it("names the therapist's coach lines and notes among what the summary says is kept, in a therapist's room", async () => {
    let guided = createRoom({ name: 'Dr. Weber', id: 'room-0123456789abcdefghij', minuteMs: MIN, as: 'moderator' }, T0).room;
    for (const [seat, name] of [['A', 'Ana'], ['B', 'Ben']] as const) guided = claimSeat(guided, seat, name, T0).room;
    const ended = ok(guided, 'moderator', { type: 'end' }, T0 + 1000).room;
    expect(ended.phase).toBe('ended');
    const text = textOf(await renderScreen(SummaryPanel, { prepare: onPhoneOf(ended, 'A', T0 + 2000) }));
    expect(text).toContain(en.summary.privacyModerated.replace('{name}', 'Dr. Weber'));
  });
});

describe('the gentle word to a partner who said they feel tense', () => {
  /** Ana checked in first; Ben second, at `calm`: his check-in opened the dialogue at once. */
  function benChecksInSecond(calm: number): Room {
    const ana = ok(seated(), 'A', { type: 'checkIn', calm: 6, tendency: 'pursue', safe: true }, T0).room;
    const both = ok(ana, 'B', { type: 'checkIn', calm, tendency: 'withdraw', safe: true }, T0 + 1000).room;
    expect(both.phase).toBe('dialogue');
    return both;
  }
  async function dialogueOf(room: Room, seat: 'A' | 'B'): Promise<string> {
    const view = viewFor(room, seat, T0 + 2000);
    return textOf(await renderScreen(DialoguePanel, { props: { floor: view.floor, method: view.method }, prepare: onPhoneOf(room, seat, T0 + 2000) }));
  }

  it("reaches the second to check in on the talk's first step, since they never saw the waiting screen", async () => {
    const room = benChecksInSecond(2);
    expect(await dialogueOf(room, 'B')).toContain(en.checkin.tense);
    // Ana said she was fairly calm: nothing for her.
    expect(await dialogueOf(room, 'A')).not.toContain(en.checkin.tense);
  });

  it('is not said to a partner who felt calm enough, nor once the talk has moved on', async () => {
    expect(await dialogueOf(benChecksInSecond(4), 'B')).not.toContain(en.checkin.tense);
    const tense = benChecksInSecond(3);
    const speaker = viewFor(tense, 'A', T0 + 2000).floor!.speaker;
    const moved = ok(tense, speaker, { type: 'advance', step: 'share' }, T0 + 3000).room;
    expect(viewFor(moved, 'B', T0 + 3000).floor!.step).not.toBe('share');
    expect(await dialogueOf(moved, 'B')).not.toContain(en.checkin.tense);
  });
});

describe('a pause in which the therapist rearranges the talk', () => {
  it('no longer says "where you stopped", and the dialogue says what was moved once the talk goes on', async () => {
    const at = (n: number) => T0 + n * 1000;
    const rooms: Room[] = [inDialogue({ as: 'moderator' })];
    const step = (seat: 'A' | 'B' | 'moderator', input: Parameters<typeof ok>[2]) => rooms.push(ok(rooms.at(-1)!, seat, input, at(rooms.length)).room);
    step('moderator', { type: 'pause' });
    const plain = (text: string) => text.replace(/[\u2068\u2069]/g, '');
    const onBen = (upTo: number) => () => {
      const store = useRoomStore();
      for (const r of rooms.slice(0, upTo)) store.receive(viewFor(r, 'B', at(upTo)));
    };
    expect(plain(textOf(await renderScreen(PausePanel, { prepare: onBen(rooms.length) })))).toContain("You'll go on where you stopped: turn 1, with Ana sharing.");
    step('moderator', { type: 'setFloor', speaker: 'B' });
    step('moderator', { type: 'setStep', step: 'mirror' });
    expect(plain(textOf(await renderScreen(PausePanel, { prepare: onBen(rooms.length) })))).toContain('The talk will go on from a different point: turn 2, with Ana mirroring.');
    step('moderator', { type: 'resume' });
    const last = viewFor(rooms.at(-1)!, 'B', at(rooms.length));
    const dialogue = textOf(await renderScreen(DialoguePanel, { props: { floor: last.floor, method: last.method }, prepare: onBen(rooms.length) }));
    // The therapist who opened this room is called Ana too (the scenario's first name).
    expect(plain(dialogue)).toContain('Ana gave the floor to you and moved turn 2 to “Mirror”.');
  });
});

describe('a time agreed before the talk, seen from its closing', () => {
  it('is not offered as the next talk: the closing asks for one, and a new one can be proposed', async () => {
    let room = benAsksLater();
    room = ok(room, 'A', { type: 'acceptTime' }, T0 + 2000).room;
    expect(room.appointment?.accepted).toBe(true);
    // They talk now after all.
    room = ok(room, 'A', { type: 'checkIn', calm: 6, tendency: 'pursue', safe: true }, T0 + 3000).room;
    room = ok(room, 'B', { type: 'checkIn', calm: 5, tendency: 'withdraw', safe: true }, T0 + 4000).room;
    room = ok(room, 'A', { type: 'wrapUp' }, T0 + 5000).room;
    expect(room.phase).toBe('closing');
    const closing = textOf(await renderScreen(ClosingPanel, { prepare: onPhoneOf(room, 'A', T0 + 6000) }));
    expect(closing).not.toMatch(/Agreed/);
    expect(closing).toContain(en.closing.nextAsk);

    // Ana proposes the next one from the closing: that one is the next talk.
    room = ok(room, 'A', { type: 'proposeTime', at: new Date(LATER + 120 * MIN).toISOString() }, T0 + 7000).room;
    const proposed = textOf(await renderScreen(ClosingPanel, { prepare: onPhoneOf(room, 'A', T0 + 8000) }));
    expect(proposed).toMatch(/You suggested .+ \(your time\)\. Waiting for Ben\./);
  });
});

describe('a break taken during the check-in', () => {
  it('keeps what Ben had tapped on the form and not yet sent, and the form shows it again', async () => {
    const html = await renderScreen(CheckInPanel, {
      prepare: () => {
        const store = useRoomStore();
        store.receive(viewFor(seated(), 'B', T0));
        // What the form wrote as Ben tapped, before the break took the screen.
        store.checkInDraft = { calm: 7, tendency: 'withdraw', safe: null };
      },
    });
    const checked = html.match(/<input checked[^>]*>/g) ?? [];
    expect(checked).toHaveLength(2);
    expect(checked[0]).toContain('name="calm" value="7"');
    expect(checked[1]).toContain('name="tendency" value="withdraw"');
  });


  it('ends on a line that says the check-in goes on where it stopped, gone once the dialogue opens', async () => {
    const checkedIn = ok(seated(), 'A', { type: 'checkIn', calm: 5, tendency: 'unsure', safe: true }, T0).room;
    const onBreak = ok(checkedIn, 'B', { type: 'flood' }, T0 + 1000).room;
    const after = ok(ok(onBreak, 'A', { type: 'ready' }, T0 + 2000).room, 'B', { type: 'ready' }, T0 + 1000 + 20 * MIN).room;
    expect(after).toMatchObject({ phase: 'checkin', break: null });
    const line = en.checkin.resume;
    const seen = (rooms: Room[], seat: 'A' | 'B') => async () =>
      textOf(await renderScreen(CheckInPanel, { prepare: () => rooms.forEach((r) => useRoomStore().receive(viewFor(r, seat, T0 + 20 * MIN))) }));
    expect(await seen([onBreak, after], 'B')()).toContain(line);
    // Ana had checked in before the break: there is no check-in of hers to go on with.
    expect(await seen([onBreak, after], 'A')()).not.toContain(line);
    expect(await seen([onBreak, after], 'A')()).toContain(en.checkin.done);
    // Nor is it kept for later: were Ana to change her answers, the form would not welcome her back.
    let anaResumed = true;
    await renderScreen(CheckInPanel, {
      prepare: () => {
        const store = useRoomStore();
        for (const r of [onBreak, after]) store.receive(viewFor(r, 'A', T0 + 20 * MIN));
        anaResumed = store.checkInResumed;
      },
    });
    expect(anaResumed).toBe(false);
    // In a room where neither had checked in, Ben checks in after the break: his line has done
    // its work and goes; Ana, still to check in, keeps hers.
    const bare = ok(seated(), 'B', { type: 'flood' }, T0 + 1000).room;
    const bareAfter = ok(ok(bare, 'A', { type: 'ready' }, T0 + 2000).room, 'B', { type: 'ready' }, T0 + 1000 + 20 * MIN).room;
    const benIn = ok(bareAfter, 'B', { type: 'checkIn', calm: 6, tendency: 'unsure', safe: true }, T0 + 21 * MIN).room;
    expect(benIn.phase).toBe('checkin');
    expect(await seen([bare, bareAfter], 'B')()).toContain(line);
    expect(await seen([bare, bareAfter, benIn], 'B')()).not.toContain(line);
    expect(await seen([bare, bareAfter, benIn], 'A')()).toContain(line);
    // No break, no line; and the dialogue's own resume line takes over once both checked in.
    expect(await seen([checkedIn], 'B')()).not.toContain(line);
    const dialogue = ok(after, 'B', { type: 'checkIn', calm: 5, tendency: 'unsure', safe: true }, T0 + 21 * MIN).room;
    let kept = true;
    await renderScreen(CheckInPanel, {
      prepare: () => {
        const store = useRoomStore();
        for (const r of [onBreak, after, dialogue]) store.receive(viewFor(r, 'B', T0 + 21 * MIN));
        kept = store.checkInResumed;
      },
    });
    expect(kept).toBe(false);
  });
});

describe("the other partner's break before this partner's check-in", () => {
  /** The break screen on `seat`'s phone, `room` as the server last told it. */
  async function breakScreen(room: Room, seat: 'A' | 'B'): Promise<string> {
    // The break's reminder asks the browser whether it may notify, and the repair line about
    // reduced motion; Node has neither window nor navigator.
    vi.stubGlobal('navigator', { languages: ['en-GB'], language: 'en-GB' });
    vi.stubGlobal('window', { isSecureContext: false, matchMedia: () => ({ matches: false }) });
    onTestFinished(() => {
      vi.unstubAllGlobals();
    });
    const view = viewFor(room, seat, room.updatedAt);
    expect(view.break).not.toBeNull();
    return textOf(await renderScreen(BreakPanel, { props: { pause: view.break }, prepare: onPhoneOf(room, seat, room.updatedAt) }));
  }
  const line = (name: string) => en.break.checkInAfter.replace('{name}', name);

  it('tells the partner who has not checked in (just joined, say) that the talk begins with their check-in after it', async () => {
    // Ben joined and is still on "is now a good time?" when Ana calls a break.
    const room = ok(seated(), 'A', { type: 'flood' }, T0 + 1000).room;
    const ben = await breakScreen(room, 'B');
    expect(ben).toContain(line('Ana'));
    expect(ben).toContain(en.break.theirs.replace('{name}', 'Ana'));
    // Ana called it: the line is not hers.
    expect(await breakScreen(room, 'A')).not.toContain(line('Ben'));
  });

  it('is not said to a partner who asked to talk another time: for them the talk does not begin after it', async () => {
    const room = ok(benAsksLater(), 'A', { type: 'flood' }, T0 + 2000).room;
    expect(await breakScreen(room, 'B')).not.toContain(line('Ana'));
  });

  it('is not said once that partner has checked in, nor in the dialogue', async () => {
    const benIn = ok(seated(), 'B', { type: 'checkIn', calm: 6, tendency: 'unsure', safe: true }, T0 + 500).room;
    expect(await breakScreen(ok(benIn, 'A', { type: 'flood' }, T0 + 1000).room, 'B')).not.toContain(line('Ana'));
    const talking = ok(inDialogue({}, T0), 'A', { type: 'flood' }, T0 + 1000).room;
    expect(await breakScreen(talking, 'B')).not.toContain(line('Ana'));
  });
});

describe('a proposed or agreed next talk', () => {
  it("is marked as the reader's own local time, in each language", async () => {
    const proposed = benAsksLater();
    const english = textOf(await renderScreen(NextTalk, { props: { ask: '' }, prepare: onPhoneOf(proposed) }));
    expect(english).toMatch(/Ben suggests .+ \(your time\)\./);
    const german = textOf(await renderScreen(NextTalk, { locale: 'de', props: { ask: '' }, prepare: onPhoneOf(proposed) }));
    expect(german).toMatch(/Ben schlägt .+ \(deine Zeit\) vor\./);
    const agreed = ok(proposed, 'A', { type: 'acceptTime' }, T0 + 2000).room;
    const both = textOf(await renderScreen(NextTalk, { props: { ask: '' }, prepare: onPhoneOf(agreed, 'B') }));
    expect(both).toMatch(/Agreed: .+ \(your time\)/);
    // Short enough for a 320 px phone: the mark adds one short word pair, nothing more.
    expect(en.time.yourTime.replace('{time}', '').length).toBeLessThanOrEqual(12);
    expect(de.time.yourTime.replace('{time}', '').length).toBeLessThanOrEqual(14);
  });
});

describe("the therapist's line on the partners' phones", () => {
  /** A therapist's room whose talk Ana and Ben checked into, then the therapist ended. */
  function endedModerated(): Room {
    let room = seated({ as: 'moderator' });
    room = ok(room, 'A', { type: 'checkIn', calm: 6, tendency: 'pursue', safe: true }, T0).room;
    room = ok(room, 'B', { type: 'checkIn', calm: 5, tendency: 'withdraw', safe: true }, T0).room;
    return ok(room, 'moderator', { type: 'end' }, T0 + MIN).room;
  }

  it('does not say the therapist is with them once the talk has ended', async () => {
    const room = endedModerated();
    expect(room.phase).toBe('ended');
    // The room's creator is its therapist: "Ana" in these scenarios, a partner's name elsewhere.
    const therapist = room.seats.moderator?.name ?? '';
    const text = textOf(await renderScreen(TherapistPresence, { prepare: onPhoneOf(room, 'B', T0 + MIN) }));
    expect(text).toBe(en.moderated.guided.replace('{name}', therapist));
    expect(text).not.toContain(en.moderated.here.replace('{name}', therapist));
    expect(text).not.toContain(en.moderated.away.replace('{name}', therapist));
  });
});

describe('the console\'s "Open a new room" form', () => {
  it('shows its name placeholder as an example, and an empty field when the console knows no name', async () => {
    const html = await renderScreen(NewRoomForm, { prepare: () => useConsoleStore() });
    expect(html).toContain('placeholder="e.g. Dr. Weber"');
    expect(html).toMatch(/id="new-room-name" value=""/);
    const german = await renderScreen(NewRoomForm, { locale: 'de', prepare: () => useConsoleStore() });
    expect(german).toContain('placeholder="z. B. Dr. Weber"');
  });

  it('replaces a name it filled in when a newer room answers later, and never a typed one', async () => {
    // The rooms answer in any order: an older room's name first, then the newest one's.
    expect(offeredName('', '', 'Dr. Old')).toBe('Dr. Old');
    expect(offeredName('Dr. Old', 'Dr. Old', 'Ana')).toBe('Ana');
    // Typed over, or cleared and typed: left alone.
    expect(offeredName('Dr. Weber', 'Dr. Old', 'Ana')).toBeNull();
    expect(offeredName('', 'Dr. Old', 'Ana')).toBe('Ana');
    expect(offeredName('Ana', 'Ana', 'Ana')).toBeNull();
    expect(offeredName('', '', '')).toBeNull();
  });

  it('fills in the name the therapist gave in the newest room this browser moderates', async () => {
    const older = createRoom({ name: 'Dr. Old', id: 'room-older-0123456789ab', minuteMs: MIN, as: 'moderator' }, T0).room;
    const newer = newRoom({ as: 'moderator' });
    const prepare = (): void => {
      const store = useConsoleStore();
      const base = { seatKey: 'k'.repeat(22), invites: {}, link: 'online' as const, refusal: null, notice: null, sending: 0 };
      store.rooms = {
        old: { ...base, roomId: 'old', createdAt: 1, view: viewFor(older, 'moderator', T0) },
        new: { ...base, roomId: 'new', createdAt: 2, view: viewFor(newer, 'moderator', T0) },
      };
    };
    const html = await renderScreen(NewRoomForm, { prepare });
    expect(html).toMatch(/id="new-room-name"[^>]*value="Ana"/);
  });
});
