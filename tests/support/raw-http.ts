import { connect, type Socket } from 'node:net';

/** One HTTP answer read off a raw socket. */
export interface RawAnswer {
  /** 0 when the server closed the connection without answering. */
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends `text` as it is on a fresh TCP connection and reads the first answer, for requests
 * that `fetch` refuses to send (broken headers, broken escapes, a body with two lengths).
 * Resolves when the server has sent a whole answer or closed the connection.
 */
export function rawRequest(url: string, text: string | Buffer): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(parseAnswer(received.toString('latin1')));
    };
    socket.on('connect', () => socket.write(text));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (isComplete(received.toString('latin1'))) finish();
    });
    socket.on('close', finish);
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // A reset after the answer (the server destroys a connection it will not read on) is fine.
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') finish();
      else if (!settled) reject(error);
    });
  });
}

/** Opens a TCP connection and resolves once it is connected (or closed straight away). */
export function openSocket(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves when the server has closed `socket`, with everything it sent before. */
export function closedBy(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
    });
    socket.on('error', () => {});
    if (socket.destroyed) resolve(received);
    else socket.once('close', () => resolve(received));
  });
}

function isComplete(text: string): boolean {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const answer = parseAnswer(text);
  const length = Number(answer.headers['content-length'] ?? Number.NaN);
  return Number.isFinite(length) && Buffer.byteLength(answer.body, 'latin1') >= length;
}

/** Splits an HTTP/1.1 answer into status, lower-case headers and body (the body as UTF-8 text). */
export function parseAnswer(text: string): RawAnswer {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return { status: 0, headers: {}, body: '' };
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return {
    status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0),
    headers,
    body: Buffer.from(text.slice(end + 4), 'latin1').toString('utf8'),
  };
}
