import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sendError } from './http-errors';

/**
 * Serves the built Vue client from `clientDir`, and its `index.html` for client
 * routes such as `/join/:roomId`. Anything under `/api` that no route answers is a
 * JSON 404. Without a built client every unknown address is a JSON 404.
 */
export async function clientFiles(app: FastifyInstance, options: { clientDir: string | null }): Promise<void> {
  const { clientDir } = options;
  const hasClient = clientDir !== null && existsSync(join(clientDir, 'index.html'));
  if (hasClient) {
    await app.register(fastifyStatic, {
      root: clientDir,
      setHeaders(res, path) {
        // Vite names assets by content hash: they never change. index.html must be re-read.
        res.header('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  }
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const isPage = (request.method === 'GET' || request.method === 'HEAD') && !path.startsWith('/api/') && path !== '/api';
    if (hasClient && isPage && !path.startsWith('/socket.io') && !/\.[a-z0-9]+$/i.test(path)) {
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    }
    return sendError(reply, 404, 'not_found');
  });
}
