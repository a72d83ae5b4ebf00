// Who may do what: every request but health checks and the API description carries an API key with the
// scope its route needs (OTLP export: ingest, queries: read, admin routes and /metrics: admin), and the
// key's project scopes everything it writes and reads. OTLP routes authenticate in the receivers (they
// answer in OTLP's status format); this hook covers the rest.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AuthError, type KeyRing, type Principal, type Scope, presentedKey } from '../auth/keys.js';
import { RateLimitedError, type RateLimiter } from '../auth/rate-limit.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

const OPEN = /^\/(healthz|readyz|openapi\.json|docs)(\/|$|\?)/;

/** The scope a path needs, or null for open paths and OTLP export (checked by the receivers). */
export function scopeFor(url: string): Scope | null {
  if (OPEN.test(url) || url.startsWith('/v1/')) return null;
  if (url.startsWith('/api/v1/admin/') || url === '/metrics' || url.startsWith('/metrics?')) return 'admin';
  return 'read';
}

export function headerKey(req: FastifyRequest): string | undefined {
  const h = req.headers;
  return presentedKey(typeof h.authorization === 'string' ? h.authorization : undefined, typeof h['x-api-key'] === 'string' ? h['x-api-key'] : undefined);
}

/** The caller a rate limit applies to. */
export function callerId(principal: Principal, ip: string): string {
  return principal.keyName ? `key:${principal.keyName}` : `ip:${ip}`;
}

export function installAuth(app: FastifyInstance, ring: KeyRing, limiter: RateLimiter, retryAfterSeconds: number): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (req, reply) => {
    const scope = scopeFor(req.url);
    if (!scope) return;
    try {
      req.principal = ring.authenticate(headerKey(req), scope);
      limiter.take(callerId(req.principal, req.ip));
    } catch (e) {
      if (e instanceof AuthError) {
        if (e.statusCode === 401) reply.header('www-authenticate', 'Bearer realm="tracemill"');
        return reply.code(e.statusCode).send({ error: e.statusCode === 401 ? 'unauthorized' : 'forbidden', message: e.message });
      }
      if (e instanceof RateLimitedError) {
        return reply.code(429).header('retry-after', String(retryAfterSeconds)).send({ error: 'rate_limited', message: `${e.message}; retry later` });
      }
      throw e;
    }
  });
}

/** For route handlers: the authenticated principal (set by the hook for every non-open route). */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new Error(`no principal on ${req.url}: route is not behind the auth hook`);
  return req.principal;
}
