import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { protocolError, type ErrorBody, type HttpErrorCode } from '../../protocol';
import type { Failure } from '../room-service';

/** Sends the one error shape of the API: `{ error: { code, message } }`. */
export function sendError(reply: FastifyReply, status: number, code: HttpErrorCode, message?: string): FastifyReply {
  const body: ErrorBody = { error: protocolError(code, message) };
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

export function sendFailure(reply: FastifyReply, failure: Failure): FastifyReply {
  return sendError(reply, failure.status, failure.error.code, failure.error.message);
}

/** Turns Fastify's own errors (body too large, broken JSON, wrong media type) into the API's shape. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendError(reply, 413, 'invalid', 'The request is too large: a body may hold at most 16 KiB.');
    }
    if (status === 415) {
      return sendError(reply, 415, 'invalid', 'Send the request body as JSON (Content-Type: application/json).');
    }
    if (status >= 400 && status < 500) {
      return sendError(reply, 400, 'invalid', 'The request body is not valid JSON.');
    }
    request.log.error({ err: error }, 'request failed');
    return sendError(reply, 500, 'internal');
  });
}
