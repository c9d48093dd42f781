import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

/**
 * The security headers of every answer (docs/security.md): helmet with a strict policy.
 * (Left to inference: helmet's ESM types and @fastify/helmet's CJS ones both accept it.)
 */
export const HELMET_OPTIONS = {
  contentSecurityPolicy: {
    useDefaults: true as const,
    directives: {
      // Phones on the local network open plain http://; upgrading would break every request.
      upgradeInsecureRequests: null,
      connectSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
    },
  },
};

/**
 * The headers helmet sets with `HELMET_OPTIONS`, for the answers Fastify writes outside its
 * hooks (an address it cannot decode, a request the HTTP parser refuses). They depend on no
 * request, so they are worked out once, by running helmet against a stand-in response.
 */
export function securityHeaders(): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
      return response;
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(HELMET_OPTIONS)({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => {
    if (error !== undefined) throw error;
  });
  return Object.freeze(headers);
}
