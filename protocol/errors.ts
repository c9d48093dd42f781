/**
 * The error codes of the Duologue protocol (PROTOCOL.md section 4), each with the
 * reason it exists and a default sentence a person can act on.
 */
export const ERROR_CODES = [
  'invalid',
  'unknown_command',
  'forbidden',
  'not_your_turn',
  'wrong_step',
  'wrong_phase',
  'on_break',
  'break_protected',
  'paused',
  'stale',
  'rate_limited',
  'ended',
] as const;

export type CommandErrorCode = (typeof ERROR_CODES)[number];

/** Codes that only the HTTP API answers with. */
export const HTTP_ERROR_CODES = [
  'invalid',
  'room_not_found',
  'invite_invalid',
  'invite_used',
  'unauthorized',
  'no_appointment',
  'rate_limited',
  'not_found',
  'timeout',
  'internal',
] as const;

export type HttpErrorCode = (typeof HTTP_ERROR_CODES)[number];

export const ERROR_WHY: Record<CommandErrorCode, string> = {
  invalid: 'The payload has the wrong shape or a value outside its limits, or the room or the clock rules it out.',
  unknown_command: 'The command type is not one the protocol knows.',
  forbidden: 'This seat may never send this command (a partner command from the moderator, or the reverse).',
  not_your_turn: 'The current step belongs to the other partner.',
  wrong_step: 'The command names a step that is not the current one (a double tap, usually).',
  wrong_phase: 'The command has no meaning in the phase the room is in.',
  on_break: 'A flooded break is on; only break commands and repairs go through.',
  break_protected: 'The break is protected: only its caller may extend it, and the caller may not end it before the minimum.',
  paused: 'The moderator has paused the conversation.',
  stale: 'The command was decided on an older revision of the room.',
  rate_limited: 'Too many commands or requests in a short time.',
  ended: 'The conversation has ended; nothing changes any more.',
};

export const ERROR_MESSAGES: Record<CommandErrorCode | HttpErrorCode, string> = {
  invalid: 'That request is not valid.',
  unknown_command: 'That command is not part of the Duologue protocol.',
  forbidden: 'Your seat cannot do that.',
  not_your_turn: "It is your partner's turn in this step.",
  wrong_step: 'The conversation has already moved past that step.',
  wrong_phase: 'That is not possible at this point of the conversation.',
  on_break: 'A break is on. You can say you are ready, or send a repair phrase.',
  break_protected: 'This break is protected. Only the partner who called it can end or extend it, after the minimum time.',
  paused: 'Your moderator has paused the conversation for a moment.',
  stale: 'The conversation moved on before this arrived. Look again and try once more.',
  rate_limited: 'That was a lot at once. Wait a few seconds and try again.',
  ended: 'This conversation has ended.',
  room_not_found: 'This conversation does not exist, or it has been deleted.',
  invite_invalid: 'This invite link is not valid. Ask whoever invited you to send it again.',
  invite_used: 'This invite link has already opened its place, and each link opens one place once. Whoever joined with it can bring that place to another device from the talk itself.',
  unauthorized: 'This device does not hold a seat in that conversation.',
  no_appointment: 'No time has been agreed yet.',
  not_found: 'There is nothing at this address.',
  timeout: 'The request took too long to arrive. Send it again.',
  internal: 'Something went wrong on the server. Your last step was not saved; try again.',
};

export interface ProtocolError<C extends string = CommandErrorCode> {
  code: C;
  message: string;
}

export function protocolError<C extends CommandErrorCode | HttpErrorCode>(code: C, message?: string): ProtocolError<C> {
  return { code, message: message ?? ERROR_MESSAGES[code] };
}
