import type { z } from 'zod';
import { protocolError, type ProtocolError } from './errors';
import { COMMAND_TYPES, Command, type CommandType } from './schemas';

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: ProtocolError };

const KNOWN: ReadonlySet<string> = new Set(COMMAND_TYPES);

/** True when `value` names a command of the protocol. */
export function isCommandType(value: unknown): value is CommandType {
  return typeof value === 'string' && KNOWN.has(value);
}

/** A short sentence naming the first problem zod found, without echoing the input. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'The request is not valid.';
  const path = issue.path.map(String).join('.').slice(0, 80);
  if (issue.code === 'unrecognized_keys') {
    // Names come from the sender: quote a few, cut short, so the answer stays a sentence.
    const names = issue.keys.slice(0, 3).map((k) => `"${k.length > 40 ? `${k.slice(0, 40)}…` : k}"`);
    const more = issue.keys.length > 3 ? ` and ${issue.keys.length - 3} more` : '';
    return `Unknown field ${names.join(', ')}${more}.`;
  }
  return path === '' ? `The request is not valid: ${issue.message}.` : `The field "${path}" is not valid: ${issue.message}.`;
}

/**
 * Parses a command payload at the boundary. A payload that is not an object, has
 * no known `type`, or breaks a field's limits is refused before it reaches the rules.
 */
export function parseCommand(input: unknown): Parsed<Command> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, error: protocolError('invalid', 'A command must be a JSON object.') };
  }
  const type = (input as { type?: unknown }).type;
  if (typeof type !== 'string') {
    return { ok: false, error: protocolError('invalid', 'A command needs a "type".') };
  }
  if (!isCommandType(type)) {
    return { ok: false, error: protocolError('unknown_command', `"${type.slice(0, 40)}" is not a Duologue command.`) };
  }
  const result = Command.safeParse(input);
  if (!result.success) return { ok: false, error: protocolError('invalid', describeIssue(result.error)) };
  return { ok: true, value: result.data };
}
