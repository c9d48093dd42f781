/**
 * Every command type of the protocol, without zod, so that a client can enable its
 * buttons from the shared machine without carrying the schemas in its bundle.
 * `schemas.ts` checks at compile time that this list and the command schemas agree.
 */
export const COMMAND_TYPES = [
  'checkIn',
  'advance',
  'check',
  'flood',
  'extendBreak',
  'ready',
  'repair',
  'proposeTime',
  'acceptTime',
  'wrapUp',
  'end',
  'pause',
  'resume',
  'setFloor',
  'setStep',
  'endBreak',
  'coach',
  'note',
] as const;
