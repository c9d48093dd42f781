import type { CallSignal } from '@protocol/call';

/**
 * The voice call's WebRTC side, loaded only when a partner taps Call (its own chunk). Audio goes
 * straight between the two phones, encrypted with DTLS-SRTP; the server only relays the
 * signals, and the two phones pair their connections by name (see `PeerCall`).
 */

/** How the connection stands, as the call bar says it. */
export type LinkStatus = 'connecting' | 'live' | 'dropped';

/** Why the microphone could not be opened: each has its own plain explanation. */
export type MicProblem = 'denied' | 'missing' | 'unavailable';

export interface CallHooks {
  send(signal: CallSignal): void;
  status(status: LinkStatus): void;
  /** Audio levels 0–1 of this phone's microphone and of the partner's voice, a few times a second. */
  levels(mine: number, theirs: number): void;
  partnerMuted(muted: boolean): void;
  /** The browser would not start the partner's sound without a tap. */
  soundBlocked(blocked: boolean): void;
}

/** What a test reads through the non-secret probe: counters and states, never a description. */
export interface CallFigures {
  connectionState: RTCPeerConnectionState | 'closed';
  iceConnectionState: RTCIceConnectionState;
  iceGatheringState: RTCIceGatheringState;
  signalingState: RTCSignalingState;
  /** This phone's connection is paired with one of the partner's. */
  paired: boolean;
  bytesReceived: number;
  bytesSent: number;
  micEnabled: boolean;
  /** ICE restarts this phone began since the call started. */
  iceRestarts: number;
}

const STATS_EVERY_MS = 300;
/** A link that stays `disconnected` this long is given a fresh ICE round. */
const DISCONNECT_GRACE_MS = 2500;
/** While the link is down, another ICE restart after this long. */
const RESTART_EVERY_MS = 6000;
/** A connection still waiting for its pair says `hello` again this often. */
const HELLO_AGAIN_MS = 5000;
/** An offer still unanswered this long (it, or its answer, was lost) is sent again. */
const OFFER_AGAIN_MS = 4000;
/**
 * A paired connection not up this long after its pairing began (or after it dropped) starts
 * over on both phones: a fresh connection and a `hello`.
 */
const REJOIN_AFTER_MS = 20_000;

/** Opens the microphone; the browser asks for it here, on the partner's tap, and nowhere else. */
export async function openMicrophone(): Promise<MediaStream | MicProblem> {
  if (!navigator.mediaDevices?.getUserMedia || typeof RTCPeerConnection === 'undefined') return 'unavailable';
  try {
    return await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true } });
  } catch (error) {
    const name = error instanceof DOMException ? error.name : '';
    if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'missing';
    if (name === 'NotAllowedError' || name === 'SecurityError') return 'denied';
    return 'unavailable';
  }
}

/** A fresh name for one peer connection: 16 characters from 12 random bytes (no secure context needed). */
function newLink(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_');
}

/**
 * One partner's end of the call.
 *
 * Each peer connection has a name (its `link`), and the two phones pair their connections
 * explicitly: a phone with a fresh connection says `hello` with its link; the phone that hears
 * it pairs a connection of its own with that link (a fresh one, unless its own was never paired)
 * and makes the offer. Every description and candidate names the connection it comes from and
 * the one it is meant for, and a phone drops what belongs to a connection that is gone: a
 * description of a replaced connection can never land on its successor. An unpaired connection
 * never offers, so a join in the usual order is one offer and one answer; offers cross only when
 * both phones pair at once (their hellos crossed) or restart ICE at once, and the "perfect
 * negotiation" pattern settles those (seat B is the polite peer).
 *
 * Nothing lost on the way stops a call for good: a hello is said again while unpaired, an
 * unanswered offer is sent again, and a pairing that does not come up starts over.
 */
export class PeerCall {
  private pc!: RTCPeerConnection;
  /** This phone's current connection. */
  private link = '';
  /** The partner's connection it is paired with; null until a `hello` or an offer pairs it. */
  private partner: string | null = null;
  /** The connection wanted an offer before it was paired: it makes one as soon as it is. */
  private offerWanted = false;
  private readonly audio = new Audio();
  private makingOffer = false;
  private answerPending = false;
  private ever = false;
  private disconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private restartTimer: ReturnType<typeof setInterval> | undefined;
  private offerTimer: ReturnType<typeof setTimeout> | undefined;
  private watchdog: ReturnType<typeof setTimeout> | undefined;
  private readonly statsTimer: ReturnType<typeof setInterval>;
  private readonly helloTimer: ReturnType<typeof setInterval>;
  private readonly onOnline = (): void => this.restart();
  private closed = false;
  private restarts = 0;
  private inbox: Promise<void> = Promise.resolve();

  constructor(
    private readonly mic: MediaStream,
    private readonly polite: boolean,
    private readonly config: RTCConfiguration,
    private readonly hooks: CallHooks,
  ) {
    this.audio.autoplay = true;
    this.fresh();
    this.statsTimer = setInterval(() => void this.sample(), STATS_EVERY_MS);
    // A `hello` the partner's phone missed (it was reconnecting, or opened the room later) is said
    // again while this connection waits for its pair.
    this.helloTimer = setInterval(() => {
      if (this.partner === null) this.hello();
    }, HELLO_AGAIN_MS);
    // A phone that changes networks (Wi-Fi to mobile) comes back online: look for a new path.
    window.addEventListener('online', this.onOnline);
  }

  /**
   * True when the partner's `decline` (sent to `to`) is about this phone's connection as it
   * stands: still waiting for its pair. A connection a device of the partner's joined, or one
   * that replaced the declined one, goes on.
   */
  declinedBy(to: string): boolean {
    return to === this.link && this.partner === null;
  }

  /** Tells the partner's phone that this one is in the call, on its current connection. */
  hello(): void {
    this.hooks.send({ kind: 'hello', link: this.link });
  }

  /** Starts over on a fresh connection and says so: the partner's phone pairs a fresh one with it. */
  rejoin(): void {
    this.fresh();
    this.hello();
  }

  /** A new, unpaired peer connection with this phone's microphone on it. */
  private fresh(): void {
    this.pc?.close();
    clearTimeout(this.disconnectTimer);
    clearInterval(this.restartTimer);
    clearTimeout(this.offerTimer);
    this.disconnectTimer = this.restartTimer = this.offerTimer = undefined;
    this.link = newLink();
    this.partner = null;
    this.makingOffer = this.answerPending = this.offerWanted = false;
    const pc = new RTCPeerConnection(this.config);
    this.pc = pc;
    for (const track of this.mic.getAudioTracks()) pc.addTrack(track, this.mic);
    pc.onnegotiationneeded = () => {
      if (pc !== this.pc) return;
      if (this.partner === null) this.offerWanted = true;
      else void this.offer(pc);
    };
    pc.onicecandidate = ({ candidate }) => {
      // A connection gathers only once it is paired (its offer or its answer is made).
      if (!candidate || pc !== this.pc || this.partner === null) return;
      const json = candidate.toJSON();
      this.hooks.send({
        kind: 'candidate',
        candidate: { candidate: json.candidate ?? '', sdpMid: json.sdpMid ?? null, sdpMLineIndex: json.sdpMLineIndex ?? null, usernameFragment: json.usernameFragment ?? null },
        from: this.link,
        to: this.partner,
      });
    };
    pc.ontrack = ({ streams, track }) => {
      this.audio.srcObject = streams[0] ?? new MediaStream([track]);
      this.audio.play().then(
        () => this.hooks.soundBlocked(false),
        () => this.hooks.soundBlocked(true),
      );
    };
    pc.onconnectionstatechange = () => this.follow(pc);
    pc.oniceconnectionstatechange = () => this.follow(pc);
    this.hooks.status(this.ever ? 'dropped' : 'connecting');
    this.armWatchdog();
  }

  /** Pairs this phone's connection with the partner's `link`, and tells it whether this microphone is on. */
  private pair(link: string): void {
    this.partner = link;
    this.armWatchdog();
    this.hooks.send({ kind: 'mute', muted: !this.micOn() });
  }

  /** From now, a pairing that does not come up in time starts over on both phones. */
  private armWatchdog(): void {
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => {
      this.watchdog = undefined;
      // An unpaired connection waits for its pair instead (and says hello again meanwhile).
      if (!this.closed && this.partner !== null && this.pc.connectionState !== 'connected') this.rejoin();
    }, REJOIN_AFTER_MS);
  }

  private async offer(pc: RTCPeerConnection): Promise<void> {
    // The pair this offer is for: should another pair come meanwhile, the offer is not sent to it.
    const to = this.partner;
    try {
      this.makingOffer = true;
      await pc.setLocalDescription();
      this.sendDescription(pc, to);
    } catch {
      // The next negotiation (or restart) tries again.
    } finally {
      if (pc === this.pc) this.makingOffer = false;
    }
  }

  /**
   * Sends the connection's local description to the partner's connection `to`, if that is still
   * its pair; an offer goes again until it is answered.
   */
  private sendDescription(pc: RTCPeerConnection, to: string | null): void {
    // A connection replaced meanwhile, or paired anew, must not speak for the new pair.
    if (pc !== this.pc || this.closed || !pc.localDescription || to === null || this.partner !== to) return;
    const kind = pc.localDescription.type === 'answer' ? 'answer' : 'offer';
    this.hooks.send({ kind, sdp: pc.localDescription.sdp, from: this.link, to });
    if (kind !== 'offer') return;
    clearTimeout(this.offerTimer);
    this.offerTimer = setTimeout(() => {
      this.offerTimer = undefined;
      // No answer came: the offer or the answer was lost on the way (a socket reconnecting).
      if (pc.signalingState === 'have-local-offer') this.sendDescription(pc, to);
    }, OFFER_AGAIN_MS);
  }

  /** One signal from the partner's phone; signals are taken in the order they came. */
  receive(signal: CallSignal): Promise<void> {
    this.inbox = this.inbox.then(() => this.take(signal));
    return this.inbox;
  }

  private async take(signal: CallSignal): Promise<void> {
    if (this.closed) return;
    if (signal.kind === 'hello') return this.pairWith(signal.link);
    if (signal.kind === 'mute') return this.hooks.partnerMuted(signal.muted);
    // Both belong to the store: this connection has nothing to do with them.
    if (signal.kind === 'hangup' || signal.kind === 'decline') return;
    // Meant for a connection of this phone that is gone.
    if (signal.to !== this.link) return;
    let newPair = false;
    if (signal.kind === 'offer' && signal.from !== this.partner) {
      // The partner's newest connection offers to this one: it heard this phone's hello. A
      // connection that already took a description from another of the partner's starts over.
      if (this.partner !== null && this.pc.remoteDescription !== null) return this.rejoin();
      // A connection waiting for its pair, or paired by a hello that was stale, pairs with it.
      this.pair(signal.from);
      this.offerWanted = false;
      newPair = true;
    }
    // From a connection of the partner's that is gone.
    if (signal.from !== this.partner) return;
    const pc = this.pc;
    try {
      // An answer for an offer answered already (its repeat, after a late first answer): nothing to do.
      if (signal.kind === 'answer' && pc.signalingState !== 'have-local-offer') return;
      // The same offer again (this phone's answer was late or lost): the same answer again.
      if (signal.kind === 'offer' && pc.signalingState === 'stable' && !this.makingOffer && pc.currentRemoteDescription?.sdp === signal.sdp) {
        return this.sendDescription(pc, signal.from);
      }
      if (signal.kind === 'offer' || signal.kind === 'answer') {
        const readyForOffer = !this.makingOffer && (pc.signalingState === 'stable' || this.answerPending);
        const collision = signal.kind === 'offer' && !readyForOffer;
        // Offers crossed (both phones paired or restarted at once): the impolite phone keeps its
        // own, unless the offer comes with a new pair (its own offer went to a connection that is gone).
        if (collision && !this.polite && !newPair) return;
        this.answerPending = signal.kind === 'answer';
        try {
          await pc.setRemoteDescription({ type: signal.kind, sdp: signal.sdp });
        } finally {
          this.answerPending = false;
        }
        if (signal.kind === 'offer') {
          await pc.setLocalDescription();
          this.sendDescription(pc, signal.from);
        }
      } else {
        // A candidate of an offer this phone ignored fails here, and does no harm.
        await pc.addIceCandidate(signal.candidate);
      }
    } catch {
      // A broken exchange heals with the next restart; the call bar already says the link is down.
    }
  }

  /** The partner's phone is in the call on the connection `link`: pair with it, and offer. */
  private pairWith(link: string): void {
    // The same hello again (said while this phone's offer was on its way): already paired.
    if (this.partner === link) return;
    // Paired with a connection that is gone (the partner reloaded or rejoined): start afresh; the
    // fresh connection's first negotiation makes the offer.
    if (this.partner !== null) this.fresh();
    this.pair(link);
    if (this.offerWanted) {
      this.offerWanted = false;
      void this.offer(this.pc);
    }
  }

  /** Turns this phone's microphone on or off; the partner's screen is told. */
  setMuted(muted: boolean): void {
    for (const track of this.mic.getAudioTracks()) track.enabled = !muted;
    this.hooks.send({ kind: 'mute', muted });
  }

  /** Starts the partner's sound after a tap, when the browser held it back. */
  playSound(): void {
    this.audio.play().then(
      () => this.hooks.soundBlocked(false),
      () => this.hooks.soundBlocked(true),
    );
  }

  /** Looks for a new network path (an ICE restart), unless the link is fine or not paired yet. */
  restart(): void {
    if (this.closed || this.partner === null || this.pc.connectionState === 'connected') return;
    this.restarts += 1;
    this.pc.restartIce();
  }

  /** Counters for the test probe. */
  async figures(): Promise<CallFigures> {
    let bytesReceived = 0;
    let bytesSent = 0;
    if (!this.closed) {
      const report = await this.pc.getStats();
      report.forEach((entry: { type: string; kind?: string; bytesReceived?: number; bytesSent?: number }) => {
        if (entry.type === 'inbound-rtp' && entry.kind === 'audio') bytesReceived += entry.bytesReceived ?? 0;
        if (entry.type === 'outbound-rtp' && entry.kind === 'audio') bytesSent += entry.bytesSent ?? 0;
      });
    }
    return {
      connectionState: this.closed ? 'closed' : this.pc.connectionState,
      iceConnectionState: this.pc.iceConnectionState,
      iceGatheringState: this.pc.iceGatheringState,
      signalingState: this.pc.signalingState,
      paired: this.partner !== null,
      bytesReceived,
      bytesSent,
      micEnabled: this.micOn(),
      iceRestarts: this.restarts,
    };
  }

  /** Ends this phone's side: the peer connection, the microphone, the sound, the timers. */
  close(): void {
    this.closed = true;
    clearInterval(this.statsTimer);
    clearInterval(this.helloTimer);
    clearInterval(this.restartTimer);
    clearTimeout(this.disconnectTimer);
    clearTimeout(this.offerTimer);
    clearTimeout(this.watchdog);
    window.removeEventListener('online', this.onOnline);
    this.pc.close();
    for (const track of this.mic.getTracks()) track.stop();
    this.audio.srcObject = null;
  }

  private follow(pc: RTCPeerConnection): void {
    if (pc !== this.pc || this.closed) return;
    const state = pc.connectionState;
    const ice = pc.iceConnectionState;
    if (state === 'connected') {
      this.ever = true;
      clearTimeout(this.disconnectTimer);
      clearInterval(this.restartTimer);
      clearTimeout(this.watchdog);
      this.disconnectTimer = this.restartTimer = this.watchdog = undefined;
      this.hooks.status('live');
      return;
    }
    const failed = state === 'failed' || ice === 'failed';
    // A first connection that fails is given a fresh ICE round too; one that was up says "dropped".
    if (!failed && !(this.ever && (state === 'disconnected' || ice === 'disconnected'))) return;
    if (this.ever) this.hooks.status('dropped');
    if (failed) this.restart();
    else this.disconnectTimer ??= setTimeout(() => this.restart(), DISCONNECT_GRACE_MS);
    this.restartTimer ??= setInterval(() => this.restart(), RESTART_EVERY_MS);
    if (this.watchdog === undefined) this.armWatchdog();
  }

  private micOn(): boolean {
    return this.mic.getAudioTracks().some((track) => track.enabled);
  }

  private async sample(): Promise<void> {
    if (this.closed) return;
    let mine = 0;
    let theirs = 0;
    try {
      const report = await this.pc.getStats();
      report.forEach((entry: { type: string; kind?: string; audioLevel?: number }) => {
        if (entry.type === 'media-source' && entry.kind === 'audio') mine = Math.max(mine, entry.audioLevel ?? 0);
        if (entry.type === 'inbound-rtp' && entry.kind === 'audio') theirs = Math.max(theirs, entry.audioLevel ?? 0);
      });
    } catch {
      return;
    }
    // A muted microphone still measures the room; what the partner hears is silence.
    if (!this.micOn()) mine = 0;
    this.hooks.levels(mine, theirs);
  }
}
