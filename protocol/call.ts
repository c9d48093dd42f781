import { z } from 'zod';
import { protocolError } from './errors';
import { describeIssue, type Parsed } from './parse';

/**
 * The voice call's signalling (docs/protocol.md section 11): an addition to the contract.
 * The server relays these messages between the two partner seats of a room and nothing else;
 * the audio itself goes peer to peer.
 */

/** The largest session description a phone sends (a few kilobytes in practice). */
export const MAX_SDP_CHARS = 20_000;
/** The largest ICE candidate line. */
export const MAX_CANDIDATE_CHARS = 1024;

const Sdp = z.string().min(1).max(MAX_SDP_CHARS);

/** One ICE candidate as `RTCIceCandidate.toJSON()` gives it; an empty `candidate` ends the gathering. */
export const CallCandidate = z.strictObject({
  candidate: z.string().max(MAX_CANDIDATE_CHARS),
  sdpMid: z.string().max(64).nullable().optional(),
  sdpMLineIndex: z.number().int().min(0).max(63).nullable().optional(),
  usernameFragment: z.string().max(256).nullable().optional(),
});
export type CallCandidate = z.infer<typeof CallCandidate>;

/**
 * Names one peer connection of one phone: 8–64 letters, digits, `-` or `_` (the Vue client
 * draws 16 at random). It is no secret and no address; it only lets the other phone tell a
 * signal of the connection it is paired with from one of a connection that is gone.
 */
export const CallLink = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'a link is 8–64 letters, digits, "-" or "_"');

/**
 * What one partner's phone tells the other's:
 * - `hello`: "I am in the call now, on the fresh connection `link`" (a first tap on Call, a
 *   join, a reload, or starting over when a connection does not come up): the other phone, if it
 *   is in the call, pairs a connection of its own with `link` (a fresh one, unless its own was
 *   never paired) and offers; if not, it shows that its partner is calling.
 * - `offer`, `answer`: a session description; `candidate`: one ICE candidate. Each names the
 *   connection it comes `from` and the partner's connection it is meant `to`.
 * - `mute`: this phone's microphone was muted or unmuted (for the partner's screen).
 * - `hangup`: this phone left the call.
 * - `decline`: this phone, not in the call, will not join it now: `to` is the connection whose
 *   hello rang here. The partner's phone stops calling if that connection is still waiting.
 */
export const CallSignal = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('hello'), link: CallLink }),
  z.strictObject({ kind: z.literal('offer'), sdp: Sdp, from: CallLink, to: CallLink }),
  z.strictObject({ kind: z.literal('answer'), sdp: Sdp, from: CallLink, to: CallLink }),
  z.strictObject({ kind: z.literal('candidate'), candidate: CallCandidate, from: CallLink, to: CallLink }),
  z.strictObject({ kind: z.literal('mute'), muted: z.boolean() }),
  z.strictObject({ kind: z.literal('hangup') }),
  z.strictObject({ kind: z.literal('decline'), to: CallLink }),
]);
export type CallSignal = z.infer<typeof CallSignal>;
export type CallSignalKind = CallSignal['kind'];

export const CALL_SIGNAL_KINDS = ['hello', 'offer', 'answer', 'candidate', 'mute', 'hangup', 'decline'] as const satisfies readonly CallSignalKind[];

/** The answer to a `call:signal` or `call:config`: nothing of the payload comes back. */
export type CallAck = { ok: true } | { ok: false; error: { code: string; message: string } };

/** One STUN or TURN server, as `RTCIceServer` takes it. */
export const IceServer = z.strictObject({
  urls: z.union([z.string(), z.array(z.string()).min(1).max(8)]).refine(
    (urls) => (Array.isArray(urls) ? urls : [urls]).every((url) => /^(stun|stuns|turn|turns):[^\s]{1,250}$/.test(url)),
    'each url must start with stun:, stuns:, turn: or turns:',
  ),
  username: z.string().max(512).optional(),
  credential: z.string().max(512).optional(),
});
export type IceServer = z.infer<typeof IceServer>;
export const IceServers = z.array(IceServer).max(16);

/** `relay`: every call goes through the TURN servers, so neither phone learns the other's address. */
export const IceTransportPolicy = z.enum(['all', 'relay']);
export type IceTransportPolicy = z.infer<typeof IceTransportPolicy>;

export type CallConfigAck =
  | { ok: true; iceServers: IceServer[]; iceTransportPolicy: IceTransportPolicy }
  | { ok: false; error: { code: string; message: string } };

/** True when `value` names a kind of signal (for a log line that never carries unknown input). */
export function isCallSignalKind(value: unknown): value is CallSignalKind {
  return typeof value === 'string' && (CALL_SIGNAL_KINDS as readonly string[]).includes(value);
}

/** Parses a signal at the boundary: anything but exactly one known, well-sized signal is `invalid`. */
export function parseCallSignal(input: unknown): Parsed<CallSignal> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, error: protocolError('invalid', 'A call signal must be a JSON object.') };
  }
  const kind = (input as { kind?: unknown }).kind;
  if (!isCallSignalKind(kind)) {
    return { ok: false, error: protocolError('invalid', 'A call signal needs a "kind": hello, offer, answer, candidate, mute or hangup.') };
  }
  const result = CallSignal.safeParse(input);
  if (!result.success) return { ok: false, error: protocolError('invalid', describeIssue(result.error)) };
  return { ok: true, value: result.data };
}
