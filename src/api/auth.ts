// Who may do what over HTTP. One onRequest hook on the root instance, so it covers every route group:
// it puts the caller's principal on the request (`request.principal`), checks the scope the matched route
// needs (OTLP export: ingest, /api/v1/admin/* and /metrics: admin, the rest of the API: read; health checks,
// the API description and the dashboard's static files are open), and applies the rate limit, all before the body is read.
// Route groups may add `preHandler: requireScope('...')` for a route that needs another scope.
// OTLP/gRPC authenticates in its receiver (src/service.ts), with the same KeyRing and RateLimiter.
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { AuthError, type KeyRing, type Principal, type Scope, checkScope, presentedKey } from '../auth/keys.js';
import { RateLimitedError, type RateLimiter } from '../auth/rate-limit.js';
import { sendApiError } from './errors.js';

export type { Principal, Scope } from '../auth/keys.js';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * Who the request acts as. Set for every request: on routes that need a scope it is the key's
     * principal (keys off: the default project with every scope); on open routes, with keys on, it has no
     * project and no scope.
     */
    principal: Principal;
  }
}

/** The scope a route (its pattern, e.g. '/api/v1/traces/:traceId') needs; null for open routes and unmatched URLs. */
export function scopeFor(route: string | undefined): Scope | null {
  if (route === undefined) return null; // 404: nothing to protect
  if (route === '/healthz' || route === '/readyz' || route === '/openapi.json' || route === '/docs' || route.startsWith('/docs/')) return null;
  // The dashboard's static files: no data in them; its pages call the API with the user's key.
  if (route === '/ui' || route.startsWith('/ui/')) return null;
  if (route.startsWith('/v1/')) return 'ingest';
  if (route.startsWith('/api/v1/admin/') || route === '/metrics') return 'admin';
  return 'read';
}

export function headerKey(req: FastifyRequest): string | undefined {
  const h = req.headers;
  return presentedKey(typeof h.authorization === 'string' ? h.authorization : undefined, typeof h['x-api-key'] === 'string' ? h['x-api-key'] : undefined);
}

/** The rate-limit bucket of a caller: its key, or its address when it has none. */
export function callerId(principal: Principal, ip: string): string {
  return principal.keyName !== undefined ? `key:${principal.keyName}` : `ip:${ip}`;
}

export interface AuthOptions {
  ring: KeyRing;
  limiter: RateLimiter;
  retryAfterSeconds: number;
  /** Told of every OTLP export refused here (401, 403, 429), for the rejection counters. */
  onIngestRefused?(req: FastifyRequest, err: Error): void;
  /**
   * Answers an OTLP export refused here. OTLP clients expect OTLP's answer (a google.rpc.Status in the
   * request's encoding), which the OTLP receiver knows how to write; the service passes it in.
   */
  refuseIngest(req: FastifyRequest, reply: FastifyReply, err: AuthError | RateLimitedError): FastifyReply;
}

function refuse(req: FastifyRequest, reply: FastifyReply, scope: Scope, err: AuthError | RateLimitedError, opts: AuthOptions): FastifyReply {
  if (scope === 'ingest') {
    opts.onIngestRefused?.(req, err);
    return opts.refuseIngest(req, reply, err);
  }
  return sendApiError(reply, err, opts.retryAfterSeconds);
}

/** Call on the root instance before any route group is registered. */
export function installAuth(app: FastifyInstance, opts: AuthOptions): void {
  const { ring, limiter } = opts;
  app.decorateRequest('principal', null as unknown as Principal);
  app.addHook('onRequest', async (req, reply) => {
    // The matched route's pattern, not the URL: '/api/v1/%61dmin/migrate' is routed to the admin route.
    const scope = scopeFor(req.routeOptions.url);
    req.principal = ring.anonymous;
    if (!scope) return;
    let principal: Principal;
    try {
      try {
        principal = ring.identify(headerKey(req));
      } catch (e) {
        // Failed attempts count against the caller's address, so guessing keys is slow as well as hopeless.
        if (e instanceof AuthError) limiter.take(`ip:${req.ip}`);
        throw e;
      }
      checkScope(principal, scope);
      limiter.take(callerId(principal, req.ip));
    } catch (e) {
      if (e instanceof AuthError || e instanceof RateLimitedError) return refuse(req, reply, scope, e, opts);
      throw e;
    }
    req.principal = principal;
  });
}

/**
 * A preHandler for routes that need a scope beyond the one their path implies (the hook has already
 * authenticated the caller): `app.get('/x', { preHandler: requireScope('admin') }, handler)`.
 */
export function requireScope(scope: Scope): preHandlerAsyncHookHandler {
  return async function requireScopeHook(req, reply) {
    try {
      checkScope(req.principal, scope);
    } catch (e) {
      if (!(e instanceof AuthError)) throw e;
      return sendApiError(reply, e, 0);
    }
  };
}

/** For route handlers: the caller's principal; throws when the route is open (no project to act on). */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal?.project) throw new Error(`no project on ${req.url}: the route is open, so no key was checked`);
  return req.principal;
}
