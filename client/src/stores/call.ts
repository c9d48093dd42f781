import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import type { CallSignal } from '@protocol/call';
import { STEP_ACTOR } from '@protocol/machine/steps';
import type { CallFigures, LinkStatus, MicProblem, PeerCall } from '../lib/call/peer-call';
import { socket } from '../lib/socket';
import { useConnectionStore } from './connection';
import { useRoomStore } from './room';

/**
 * Where the call stands on this phone. `incoming`: the partner is in the call and this phone
 * is not; `starting`: the microphone is being opened; then the link's own status.
 */
export type CallStatus = 'idle' | 'incoming' | 'starting' | LinkStatus;

/** A level above this counts as speaking (`audioLevel` is linear, 0–1). */
const SPEAKING_LEVEL = 0.02;
/** A voice stays "speaking" this long after its last loud sample, so the dot does not flicker. */
const SPEAKING_HOLD_MS = 800;
/** Talking over the speaker this long brings the gentle hint. */
const TALK_OVER_MS = 3500;
const HINT_SHOWN_MS = 8000;
const BACK_SHOWN_MS = 6000;
const REMEMBER = 'duologue.call.';
const PROBE = 'duologue.callProbe';

/**
 * The voice call between the two partners of the room (docs/protocol.md section 11). This store
 * is small and always loaded; the WebRTC side (`lib/call/peer-call.ts`) loads on the first tap.
 * The floor shapes the call: a break or a moderator pause turns both microphones off until the
 * talk goes on (each partner may turn their own back on), and a listener who talks over the
 * speaker gets a gentle hint. Nobody can mute the other.
 */
export const useCallStore = defineStore('call', () => {
  const room = useRoomStore();
  const connection = useConnectionStore();
  const status = ref<CallStatus>('idle');
  const problem = ref<MicProblem | 'failed' | 'noConfig' | null>(null);
  const muted = ref(false);
  const partnerMuted = ref(false);
  const soundBlocked = ref(false);
  /** "The call is back", for a few seconds after a drop. */
  const back = ref(false);
  /** The partner hung up (shown until the next call). */
  const partnerLeft = ref(false);
  /** The partner said "not now" to this phone's call (shown until the next call). */
  const partnerDeclined = ref(false);
  /**
   * The partner's connection this phone said "not now" to: its repeated hellos (every 5 s while
   * it waits) do not ring again. A new call of the partner's comes on a new connection, and rings.
   */
  let declinedLink: string | null = null;
  /** The partner's connection whose hello rings here now. */
  let ringingLink: string | null = null;
  const speaking = ref({ me: false, partner: false });
  const talkOverHint = ref(false);
  let peer: PeerCall | null = null;
  const lastLoud = { me: 0, partner: 0 };
  let overlapMs = 0;
  let lastSample = 0;
  let backTimer: ReturnType<typeof setTimeout> | undefined;
  let hintTimer: ReturnType<typeof setTimeout> | undefined;

  const inCall = computed(() => status.value !== 'idle' && status.value !== 'incoming');
  /** A break or a moderator pause lies over the talk: the call goes quiet by default. */
  const held = computed(() => room.view?.break != null || room.view?.paused === true);
  /** The partner is on a break they called: it is protected, so this phone joins their call but does not ring them. */
  const theirBreak = computed(() => {
    const brk = room.view?.break;
    return brk != null && brk.by !== room.me;
  });
  /** True on a phone of a partner seat, once both partners have joined. */
  const available = computed(() => {
    const v = room.view;
    return v != null && room.partner !== null && v.seats.A.joined && v.seats.B.joined && v.phase !== 'ended';
  });

  function remembered(): boolean {
    return room.roomId !== null && sessionStorage.getItem(REMEMBER + room.roomId) === '1';
  }
  function remember(on: boolean): void {
    if (room.roomId === null) return;
    if (on) sessionStorage.setItem(REMEMBER + room.roomId, '1');
    else sessionStorage.removeItem(REMEMBER + room.roomId);
  }

  function send(signal: CallSignal): void {
    // While the connection is down Socket.IO keeps the signal and sends it on reconnection.
    socket.emit('call:signal', signal, () => undefined);
  }

  /**
   * The STUN and TURN servers the server hands out (none by default: the local network only),
   * or null when it did not answer: a call never starts without them, since the operator's
   * `relay` policy (which keeps each phone's address from the other) comes with them.
   */
  function iceConfig(): Promise<RTCConfiguration | null> {
    return new Promise((resolve) => {
      socket.timeout(5000).emit('call:config', (error, answer) => {
        resolve(error === null && answer.ok ? { iceServers: answer.iceServers, iceTransportPolicy: answer.iceTransportPolicy } : null);
      });
    });
  }

  /** Joins or starts the call: the microphone is asked for here, on the partner's tap (or a reload's rejoin). */
  async function start(): Promise<void> {
    // A call needs its settings and its signals through the server: not while the line is down.
    if (inCall.value || !available.value || !connection.ready) return;
    if (theirBreak.value && status.value !== 'incoming') return;
    problem.value = null;
    partnerLeft.value = partnerDeclined.value = false;
    // A tap on Join while the partner calls: if the microphone is refused, the partner still calls.
    const after = status.value === 'incoming' ? 'incoming' : 'idle';
    status.value = 'starting';
    const startedIn = room.roomId;
    let mic: MediaStream | null = null;
    // The microphone goes off again when the call does not start after all.
    const letGo = (): void => {
      for (const track of mic?.getTracks() ?? []) track.stop();
    };
    try {
      const engine = await import('../lib/call/peer-call');
      const opened = await engine.openMicrophone();
      if (typeof opened === 'string') {
        problem.value = opened;
        // Unless the partner hung up, or another room opened, while the browser asked.
        if (status.value === 'starting') status.value = after;
        remember(false);
        return;
      }
      mic = opened;
      if (status.value !== 'starting') return letGo();
      const config = await iceConfig();
      // Hung up, or another room opened, while the server was asked.
      if (status.value !== 'starting' || room.roomId !== startedIn) return letGo();
      if (config === null) {
        letGo();
        problem.value = 'noConfig';
        status.value = 'idle';
        remember(false);
        return;
      }
      peer = new engine.PeerCall(mic, room.me === 'B', config, {
        send,
        status: follow,
        levels,
        partnerMuted: (value) => (partnerMuted.value = value),
        soundBlocked: (value) => (soundBlocked.value = value),
      });
      remember(true);
      setMuted(held.value);
      peer.hello();
      exposeProbe();
    } catch {
      // Whatever failed after the microphone was opened (closing the call stops it too).
      if (peer !== null) peer.close();
      else letGo();
      peer = null;
      problem.value = 'failed';
      status.value = 'idle';
    }
  }

  function follow(next: LinkStatus): void {
    const was = status.value;
    status.value = next;
    if (was === 'dropped' && next === 'live') {
      back.value = true;
      clearTimeout(backTimer);
      backTimer = setTimeout(() => (back.value = false), BACK_SHOWN_MS);
    } else if (next === 'dropped') back.value = false;
  }

  /** "Not now": this phone will not join the partner's call, and the partner's phone stops calling. */
  function decline(): void {
    if (status.value !== 'incoming' || ringingLink === null) return;
    declinedLink = ringingLink;
    send({ kind: 'decline', to: ringingLink });
    status.value = 'idle';
  }

  /** Leaves the call on this phone and tells the partner's. */
  function hangUp(): void {
    if (peer !== null) send({ kind: 'hangup' });
    end();
  }

  function end(): void {
    peer?.close();
    peer = null;
    status.value = 'idle';
    back.value = partnerMuted.value = soundBlocked.value = talkOverHint.value = false;
    speaking.value = { me: false, partner: false };
    remember(false);
  }

  function setMuted(value: boolean): void {
    muted.value = value;
    peer?.setMuted(value);
  }

  function levels(mine: number, theirs: number): void {
    const now = performance.now();
    if (mine > SPEAKING_LEVEL) lastLoud.me = now;
    if (theirs > SPEAKING_LEVEL) lastLoud.partner = now;
    // A muted side is quiet at once, whatever its last loud moment.
    speaking.value = {
      me: !muted.value && now - lastLoud.me < SPEAKING_HOLD_MS,
      partner: !partnerMuted.value && now - lastLoud.partner < SPEAKING_HOLD_MS,
    };
    const step = room.view?.floor?.step;
    const overSpeaker = room.role === 'listener' && step !== undefined && STEP_ACTOR[step] === 'speaker' && !held.value;
    const elapsed = lastSample === 0 ? 0 : Math.min(1000, now - lastSample);
    lastSample = now;
    // Both voices at once while the partner holds the floor; a pause in the overlap lets it fade.
    overlapMs = overSpeaker && speaking.value.me && speaking.value.partner ? overlapMs + elapsed : Math.max(0, overlapMs - elapsed / 2);
    if (overlapMs >= TALK_OVER_MS && !talkOverHint.value) {
      talkOverHint.value = true;
      overlapMs = 0;
      clearTimeout(hintTimer);
      hintTimer = setTimeout(() => (talkOverHint.value = false), HINT_SHOWN_MS);
    }
  }

  socket.on('call:signal', (signal) => {
    if (signal.kind === 'hangup') {
      if (inCall.value) partnerLeft.value = true;
      if (inCall.value || status.value === 'incoming') end();
      return;
    }
    if (signal.kind === 'decline') {
      // Only the connection that rang, still waiting for its pair, ends: a call a device of the
      // partner's joined meanwhile goes on, and a late decline does not end a newer call.
      if (peer?.declinedBy(signal.to)) {
        // Stops the ring on the partner's other devices too.
        send({ kind: 'hangup' });
        end();
        partnerDeclined.value = true;
      }
      return;
    }
    if (peer !== null) {
      void peer.receive(signal);
      return;
    }
    // Only a hello says the partner is calling: any other signal belongs to a call this phone left.
    if (signal.kind === 'hello' && status.value === 'idle' && available.value && signal.link !== declinedLink) {
      status.value = 'incoming';
      ringingLink = signal.link;
      partnerLeft.value = partnerDeclined.value = false;
    } else if (signal.kind === 'hello' && status.value === 'incoming') ringingLink = signal.link;
  });

  // A break or a pause turns the microphone off; the talk going on turns it back on.
  watch(held, (now) => {
    if (now) talkOverHint.value = false;
    if (inCall.value) setMuted(now);
  });
  // The connection came back: if the call is down too, look for a new path now.
  watch(
    () => connection.ready,
    (ready) => {
      if (ready && status.value === 'dropped') peer?.restart();
    },
  );
  // A phone that reloads in a call rejoins it once the room is back.
  watch(
    available,
    (yes) => {
      if (yes && status.value === 'idle' && remembered()) void start();
      if (!yes && inCall.value) end();
    },
    { immediate: true },
  );
  watch(
    () => room.roomId,
    () => {
      if (inCall.value) end();
      status.value = 'idle';
      // What the last room's partner did says nothing about this room's.
      partnerLeft.value = partnerDeclined.value = false;
      problem.value = null;
    },
  );

  /**
   * A probe for the browser test, behind a local flag that carries no secret: counters and
   * states of this phone's call, never a description, a candidate or an address.
   */
  function exposeProbe(): void {
    if (localStorage.getItem(PROBE) !== '1') return;
    (window as unknown as { __duologueCall?: () => Promise<CallFigures | null> }).__duologueCall = () =>
      peer === null ? Promise.resolve(null) : peer.figures();
  }

  return {
    status,
    problem,
    muted,
    partnerMuted,
    soundBlocked,
    back,
    partnerLeft,
    partnerDeclined,
    speaking,
    talkOverHint,
    inCall,
    held,
    theirBreak,
    available,
    start,
    decline,
    hangUp,
    setMuted,
    playSound: () => peer?.playSound(),
    dismissProblem: () => (problem.value = null),
  };
});
