import fc from 'fast-check';
import { REPAIR_PHRASES, type CommandInput } from '../../../protocol';

/** A valid command's arguments; `proposeTime` carries an offset from the server's now. */
export type CommandDraft = Exclude<CommandInput, { type: 'proposeTime' }> | { type: 'proposeTime'; offsetMs: number };

const text = (max: number): fc.Arbitrary<string> =>
  fc.string({ minLength: 1, maxLength: max }).filter((s) => s.trim().length > 0);

/** Every command type with arguments that pass the schema, around the values where rules change. */
export const commandDraft: fc.Arbitrary<CommandDraft> = fc.oneof(
  fc.record({
    type: fc.constant('checkIn' as const),
    calm: fc.integer({ min: 1, max: 10 }),
    tendency: fc.constantFrom('pursue' as const, 'withdraw' as const, 'unsure' as const),
    safe: fc.boolean(),
  }),
  // The floor's commands weigh more: turn-taking is where most rules live.
  {
    weight: 4,
    arbitrary: fc.record({
      type: fc.constant('advance' as const),
      step: fc.constantFrom('share' as const, 'mirror' as const, 'summary' as const, 'validate' as const, 'empathize' as const, 'heard' as const),
    }),
  },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('check' as const), result: fc.constantFrom('missed' as const, 'more' as const, 'complete' as const) }) },
  fc.record({ type: fc.constant('flood' as const), minutes: fc.option(fc.constantFrom(1, 4, 5, 10, 60, 1440), { nil: undefined }) }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.constant('extendBreak' as const), minutes: fc.constantFrom(1, 5, 30, 600, 1440) }),
  fc.constant({ type: 'ready' as const }),
  fc.record({ type: fc.constant('repair' as const), phrase: fc.constantFrom(...REPAIR_PHRASES) }),
  fc.record({ type: fc.constant('proposeTime' as const), offsetMs: fc.constantFrom(-3_600_000, 3_600_000, 2 * 86_400_000, 8 * 86_400_000) }),
  fc.constant({ type: 'acceptTime' as const }),
  fc.constant({ type: 'wrapUp' as const }),
  fc.constant({ type: 'end' as const }),
  fc.constant({ type: 'pause' as const }),
  fc.constant({ type: 'resume' as const }),
  fc.record({ type: fc.constant('setFloor' as const), speaker: fc.constantFrom('A' as const, 'B' as const) }),
  fc.record({
    type: fc.constant('setStep' as const),
    step: fc.constantFrom('share' as const, 'mirror' as const, 'check' as const, 'summary' as const, 'validate' as const, 'empathize' as const, 'heard' as const),
  }),
  fc.constant({ type: 'endBreak' as const }),
  fc.record({ type: fc.constant('coach' as const), to: fc.constantFrom('A' as const, 'B' as const, 'both' as const), text: text(280) }),
  fc.record({ type: fc.constant('note' as const), text: text(2000) }),
);

/** The command as sent, given the server's clock. */
export function materialize(draft: CommandDraft, now: number): CommandInput {
  if (draft.type !== 'proposeTime') return draft;
  return { type: 'proposeTime', at: new Date(now + draft.offsetMs).toISOString() };
}

function nested(depth: number, leaf: unknown, asObject: boolean): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i += 1) value = asObject ? { a: value } : [value];
  return value;
}

const validish = fc.record({
  id: fc.string({ minLength: 8, maxLength: 64 }),
  type: fc.constantFrom('advance', 'checkIn', 'flood', 'coach', 'note', 'setFloor', 'end'),
  step: fc.constant('share'),
});

/** One field of an otherwise plausible command replaced, added or removed. */
const mutated = fc
  .tuple(
    validish,
    fc.constantFrom('id', 'type', 'step', 'rev', 'minutes', 'text', 'roomId', 'seat', 'extra'),
    fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined), fc.string({ maxLength: 5000 })),
  )
  .map(([base, field, value]) => {
    const copy: Record<string, unknown> = { ...base };
    if (value === undefined) delete copy[field];
    else copy[field] = value;
    return copy;
  });

const hostileKeys = fc
  .tuple(
    fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty'),
    fc.jsonValue({ maxDepth: 2 }),
    fc.boolean(),
  )
  .map(([key, value, withType]) => {
    const body = `{${withType ? '"id":"abcdefgh12","type":"advance","step":"share",' : ''}${JSON.stringify(key)}:${JSON.stringify(value ?? null)}}`;
    return JSON.parse(body) as unknown;
  });

const prototypePoison = fc.constantFrom(
  JSON.parse('{"__proto__":{"ok":true,"isAdmin":true},"type":"end","id":"abcdefgh12"}') as unknown,
  JSON.parse('{"constructor":{"prototype":{"polluted":true}},"type":"coach","id":"abcdefgh12","to":"A","text":"x"}') as unknown,
  JSON.parse('{"type":"advance","id":"abcdefgh12","step":"share","__proto__":{"step":"heard"}}') as unknown,
);

const binary = fc.oneof(
  fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes)),
  fc.uint8Array({ maxLength: 256 }),
  fc.uint8Array({ maxLength: 256 }).map((bytes) => ({ id: 'abcdefgh12', type: 'note', text: Buffer.from(bytes) })),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ id: Buffer.from(bytes), type: 'advance', step: 'share' })),
);

const huge = fc.oneof(
  fc.integer({ min: 1_000, max: 40_000 }).map((n) => 'x'.repeat(n)),
  fc.integer({ min: 1_000, max: 40_000 }).map((n) => ({ id: 'abcdefgh12', type: 'note', text: 'n'.repeat(n) })),
  fc.integer({ min: 100, max: 20_000 }).map((n) => ({ id: 'i'.repeat(n), type: 'ready' })),
  fc.integer({ min: 100, max: 20_000 }).map((n) => ({ id: 'abcdefgh12', type: 't'.repeat(n) })),
  fc.integer({ min: 1, max: 5_000 }).map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]))),
  fc.integer({ min: 100, max: 20_000 }).map((n) => ({ id: 'abcdefgh12', type: 'advance', step: 'share', ['k'.repeat(n)]: 1 })),
);

/**
 * A deeply nested payload, built only when sent: fast-check prints counterexamples
 * recursively, and would overflow its own stack on the value itself.
 */
export class Deep {
  constructor(
    readonly depth: number,
    readonly asObject: boolean,
    readonly where: 'top' | 'field',
  ) {}

  build(): unknown {
    const value = nested(this.depth, 1, this.asObject);
    return this.where === 'top' ? value : { id: 'abcdefgh12', type: 'coach', to: 'A', text: value };
  }

  [fc.toStringMethod](): string {
    return `Deep(${this.depth}, ${this.asObject ? 'objects' : 'arrays'}, ${this.where})`;
  }
}

const deep = fc
  .tuple(fc.integer({ min: 50, max: 1_500 }), fc.boolean(), fc.constantFrom('top' as const, 'field' as const))
  .map(([depth, asObject, where]) => new Deep(depth, asObject, where));

/**
 * A Socket.IO packet written straight onto the connection, below the client's encoder:
 * nesting deeper than any encoder makes (but under the 64 KiB message limit, so the
 * server parses it), broken JSON, wrong packet types, stray acks.
 */
export class RawPacket {
  constructor(
    readonly text: string,
    readonly label: string,
  ) {}

  [fc.toStringMethod](): string {
    return `RawPacket(${this.label}, ${this.text.length} chars: ${JSON.stringify(this.text.slice(0, 60))})`;
  }
}

export const rawPacket: fc.Arbitrary<RawPacket> = fc.oneof(
  fc.integer({ min: 1_000, max: 30_000 }).map((d) => new RawPacket(`42["command",${'['.repeat(d)}1${']'.repeat(d)}]`, `arrays nested ${d} deep`)),
  fc.integer({ min: 1_000, max: 10_000 }).map((d) => new RawPacket(`42["command",{"id":"abcdefgh12","type":"note","text":${'{"a":'.repeat(d)}1${'}'.repeat(d)}}]`, `objects nested ${d} deep in a field`)),
  fc.string({ maxLength: 200 }).map((t) => new RawPacket(`42${t}`, 'event with junk')),
  fc.string({ maxLength: 200 }).map((t) => new RawPacket(`42["command",${t}]`, 'command with junk')),
  // Not a CONNECT (40) or DISCONNECT (41) packet: those are the handshake fuzz's business, and a
  // DISCONNECT would leave this test's phone believing it is still connected.
  fc.string({ maxLength: 200 }).filter((t) => !/^[01]/.test(t)).map((t) => new RawPacket(`4${t}`, 'junk packet')),
  fc.jsonValue({ maxDepth: 2 }).map((v) => new RawPacket(`43${JSON.stringify([v])}`, 'an ack nobody asked for')),
  fc.jsonValue({ maxDepth: 2 }).map((v) => new RawPacket(`451-["command",${JSON.stringify(v)}]`, 'binary event without its attachment')),
  fc.constantFrom('42["command",{"_placeholder":true,"num":0}]', '42["__proto__",{}]', '42["constructor"]', '42[]', '42{}', '42["command"'),
).map((p) => (typeof p === 'string' ? new RawPacket(p, 'fixed') : p));

/** The value to put on the wire for a generated payload. */
export function wireValue(generated: unknown): unknown {
  return generated instanceof Deep ? generated.build() : generated;
}

/** Anything a hostile or broken client could put on the wire as a command's payload. */
export const hostilePayload: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.string({ maxLength: 60 }).map((type) => ({ id: 'abcdefgh12', type: `x${type}` })),
  fc.anything({
    maxDepth: 3,
    withBigInt: false,
    withBoxedValues: false,
    withMap: false,
    withSet: false,
    withDate: true,
    withTypedArray: true,
    withSparseArray: true,
    withNullPrototype: true,
  }),
  mutated,
  hostileKeys,
  prototypePoison,
  binary,
  huge,
  deep,
);

/** How the payload is emitted: with an ack, none, the ack in the payload's place, or extra arguments before it. */
export const ackStyle = fc.constantFrom('ack' as const, 'ack' as const, 'none' as const, 'ackFirst' as const, 'extraArgs' as const);
export type AckStyle = 'ack' | 'none' | 'ackFirst' | 'extraArgs';

/** What the server receives for a payload after Socket.IO carried it as JSON (binary stays binary). */
export function asReceived(payload: unknown): unknown {
  let text: string | undefined;
  try {
    text = JSON.stringify(payload, (_key, value: unknown) =>
      ArrayBuffer.isView(value) || value instanceof ArrayBuffer ? { binary: true } : value,
    );
  } catch {
    // Too deep for this copy (not for the wire): no command nests that far, so nothing is received as one.
    return undefined;
  }
  return text === undefined ? undefined : (JSON.parse(text) as unknown);
}
