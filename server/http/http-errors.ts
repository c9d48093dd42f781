import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { protocolError, type ErrorBody, type HttpErrorCode } from '../../protocol';
import type { Failure } from '../rooms/room-service';
import { securityHeaders } from './security-headers';

/** Sends the one error shape of the API: `{ error: { code, message } }`. */
export function sendError(reply: FastifyReply, status: number, code: HttpErrorCode, message?: string): FastifyReply {
  const body: ErrorBody = { error: protocolError(code, message) };
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

/** The HTTP status of each code the room service answers: this table is the only place that maps them. */
export const HTTP_STATUS: Readonly<Record<HttpErrorCode, number>> = {
  invalid: 400,
  unauthorized: 401,
  invite_invalid: 403,
  room_not_found: 404,
  no_appointment: 404,
  not_found: 404,
  timeout: 408,
  invite_used: 409,
  rate_limited: 429,
  internal: 500,
};

/** Sends a refusal of the room service with the status its code maps to. */
export function sendFailure(reply: FastifyReply, failure: Failure): FastifyReply {
  return sendError(reply, HTTP_STATUS[failure.error.code], failure.error.code, failure.error.message);
}

interface ErrorAnswer {
  status: number;
  code: HttpErrorCode;
  message?: string;
}

// Each sentence names the cause and quotes nothing of the request.
const TOO_LARGE: ErrorAnswer = { status: 413, code: 'invalid', message: 'The request is too large: a body may hold at most 16 KiB.' };
const NOT_JSON: ErrorAnswer = { status: 400, code: 'invalid', message: 'The request body is not valid JSON.' };
/** The code of the error `installJsonParser` raises for a body that is JSON but holds a key Fastify refuses. */
const FORBIDDEN_KEY_CODE = 'DUOLOGUE_FORBIDDEN_JSON_KEY';
const BODY_ANSWERS: Readonly<Record<string, ErrorAnswer>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: TOO_LARGE,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'invalid',
    message: 'Send the request body as JSON (Content-Type: application/json).',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: NOT_JSON,
  [FORBIDDEN_KEY_CODE]: {
    status: 400,
    code: 'invalid',
    message: 'The request body holds a "__proto__" or "constructor" key, which no field of this API has.',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid', message: 'The request body is empty, but its Content-Type says JSON.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'invalid',
    message: 'The request body is not as long as its Content-Length says.',
  },
};
const BAD_ADDRESS: ErrorAnswer = { status: 400, code: 'invalid', message: 'This address is not valid: it holds a broken %-escape.' };
const NOTHING_HERE: ErrorAnswer = { status: 404, code: 'not_found' };

/**
 * Fastify's own JSON parser (which refuses `__proto__` and `constructor.prototype` keys), with one
 * difference: a body that is JSON but holds such a key is not called "not valid JSON", since it is
 * (Fastify gives both refusals the same error).
 */
export function installJsonParser(app: FastifyInstance): void {
  const standard = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, raw, done) => {
    const body = typeof raw === 'string' ? raw : raw.toString('utf8');
    void standard(request, body, (error, value) => {
      if ((error as FastifyError | null)?.code === 'FST_ERR_CTP_INVALID_JSON_BODY' && isJson(body)) {
        done(Object.assign(new Error('forbidden key in a JSON body'), { code: FORBIDDEN_KEY_CODE, statusCode: 400 }));
      } else done(error, value);
    });
  });
}

/** Whether plain `JSON.parse` reads the text (its result, prototype keys and all, is dropped). */
function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Turns Fastify's own errors (body too large, broken JSON, wrong media type, a path the
 * static files refuse) into the API's shape; anything else is a 500 `internal`, logged.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const answer = answerFor(error);
    if (answer === null) {
      request.log.error({ err: error }, 'request failed');
      return sendError(reply, 500, 'internal');
    }
    request.log.debug({ code: error.code, status: answer.status }, 'request refused');
    return sendError(reply, answer.status, answer.code, answer.message);
  });
}

function answerFor(error: FastifyError): ErrorAnswer | null {
  const known = error.code === undefined ? undefined : BODY_ANSWERS[error.code];
  if (known !== undefined) return known;
  const status = error.statusCode ?? 500;
  // What is left of the 4xx errors comes from the static files, refusing a path they will not
  // serve (a NUL, a `..`, an empty segment as in `//api`): there is nothing at that address.
  if (status === 400 || status === 403 || status === 404) return NOTHING_HERE;
  return null;
}

/**
 * Fastify's `frameworkErrors`: an address it cannot decode, or a path parameter longer than
 * the router takes. No hook runs for these, so the security headers are set here.
 */
export function frameworkErrorHandler(
  log: FastifyBaseLogger,
  requestLogLevel: 'info' | 'debug',
): (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => void {
  const headers = securityHeaders();
  return (error, _request, reply) => {
    // The only path parameter is a room id: one too long for the router cannot exist.
    const answer: ErrorAnswer =
      error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? { status: 404, code: 'room_not_found' } : BAD_ADDRESS;
    // The line per request, as the onResponse hook writes it for every other request.
    log[requestLogLevel]({ route: 'unmatched', code: error.code, status: answer.status }, 'request');
    void sendError(reply.headers(headers), answer.status, answer.code, answer.message);
  };
}

/**
 * Answers what Node's HTTP parser refuses (a broken header, a body with two lengths, headers
 * over the limit, a request that took too long to arrive) in the API's shape, with the
 * security headers, and closes the connection. Fastify's own handler would log the raw bytes
 * of the request at `trace` (seat keys, invites and names included): this logs the code alone.
 */
export function clientErrorHandler(log: FastifyBaseLogger): (error: NodeJS.ErrnoException, socket: Socket) => void {
  const headers = Object.entries(securityHeaders())
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return (error, socket) => {
    // A reset connection is gone: there is no one to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const answer = clientErrorAnswer(error.code);
    log.debug({ code: error.code, status: answer.status }, 'client error');
    // As Node does: answer only when no response of this connection has started.
    const pending = (socket as Socket & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
    if (socket.writable && pending?.headersSent !== true) {
      const body = JSON.stringify({ error: protocolError(answer.code, answer.message) } satisfies ErrorBody);
      socket.write(
        `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\n${headers}` +
          `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
          `cache-control: no-store\r\nconnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy();
  };
}

function clientErrorAnswer(code: string | undefined): ErrorAnswer {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'invalid', message: 'The request headers are too large: together they may hold at most 16 KiB.' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: 'timeout' };
    default:
      return { status: 400, code: 'invalid', message: 'The request could not be read: it is not well-formed HTTP/1.1.' };
  }
}
