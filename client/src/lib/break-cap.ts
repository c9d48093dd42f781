import type { BREAK_CAP_MINUTES as ProtocolCap } from '@protocol/schemas';

/**
 * The 24 h cap of every break, in protocol minutes. The protocol's constant sits beside the
 * zod schemas, which the phone's bundle leaves out; the type below keeps the two equal.
 */
export const BREAK_CAP_MINUTES: typeof ProtocolCap = 1440;
