// API keys: each bound to one project with a set of scopes, held only as SHA-256 hashes.
// Configured as TRACEMILL_API_KEYS ("project:scope+scope:secret, ..." or a JSON list) or as a list in the
// config file. Pure: no fastify, no gRPC (src/api/auth.ts and src/service.ts apply it to requests).
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { TracemillError } from '../model/errors.js';

export const SCOPES = ['ingest', 'read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export interface ApiKey {
  /** SHA-256 of the secret, lowercase hex. */
  sha256: string;
  project: string;
  scopes: ReadonlySet<Scope>;
  /** Unique among the configured keys (given, or key1, key2, ... by position). */
  name: string;
}

/** Who a request acts as: the key's project and scopes (keys off: the default project, every scope). */
export interface Principal {
  project: string;
  scopes: ReadonlySet<Scope>;
  /** The key's name (for messages, logs and rate limits); absent when keys are off or no key was needed. */
  keyName?: string;
}

const PROJECT = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'a project id is 1-128 letters, digits, _ . - (starting with a letter or digit)');
const HEX64 = /^[0-9a-fA-F]{64}$/;
const SECRET_OR_HASH = z
  .string()
  .min(1)
  .refine((s) => !s.startsWith('sha256:') || HEX64.test(s.slice(7)), 'sha256: must be followed by the 64 hex digits of the hash')
  .refine((s) => s.startsWith('sha256:') || s.length >= 16, 'a key must be at least 16 characters (or give its hash as sha256:<hex>)');

const KeyObject = z.strictObject({
  key: SECRET_OR_HASH.optional(),
  sha256: z.string().regex(HEX64, 'sha256 must be the 64 hex digits of the hash').optional(),
  project: PROJECT,
  scopes: z.array(z.enum(SCOPES)).min(1),
  name: z.string().min(1).max(128).optional(),
});

export function hashKey(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

function toApiKey(secretOrHash: string, project: string, scopes: Scope[], name: string | undefined, index: number): ApiKey {
  const sha256 = secretOrHash.startsWith('sha256:') ? secretOrHash.slice(7).toLowerCase() : hashKey(secretOrHash);
  return { sha256, project, scopes: new Set(scopes), name: name ?? `key${index + 1}` };
}

const COMPACT_FORM = 'expected project:scope+scope:secret (or project:scope:sha256:<hex>)';

/** "project:scope+scope:secret" entries separated by commas or newlines (the secret may contain ':'). */
function parseCompact(text: string, ctx: z.RefinementCtx): ApiKey[] {
  const out: ApiKey[] = [];
  const entries = text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
  entries.forEach((entry, i) => {
    const parts = entry.split(':');
    const [project, scopeText, ...rest] = parts;
    const secret = rest.join(':');
    const scopes = (scopeText ?? '').split('+').filter(Boolean);
    // Never echo the secret, nor anything that may be it: with a part left out, every part may be the secret.
    if (parts.length < 3) {
      ctx.addIssue({ code: 'custom', message: `entry ${i + 1}: ${parts.length} part${parts.length > 1 ? 's' : ''} separated by ':', where project, scopes and secret are three (was a part left out?) — ${COMPACT_FORM}` });
      return;
    }
    const problems: string[] = [];
    const projectOk = PROJECT.safeParse(project).success;
    if (!projectOk) problems.push('the project is not a valid project id (1-128 letters, digits, _ . -)');
    const bad = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
    if (scopes.length === 0 || bad.length) problems.push(`the scopes must be ${SCOPES.join(', ')} joined with + (the second part holds ${bad.length || 'no'} other word${bad.length === 1 ? '' : 's'})`);
    const s = SECRET_OR_HASH.safeParse(secret);
    if (!s.success) problems.push(s.error.issues[0].message);
    if (problems.length) {
      // The project is named only when the secret is in its place (else the first part may be the secret).
      const label = projectOk && s.success ? `entry ${i + 1} (project "${project}")` : `entry ${i + 1}`;
      ctx.addIssue({ code: 'custom', message: `${label}: ${problems.join('; ')} — ${COMPACT_FORM}` });
      return;
    }
    out.push(toApiKey(secret, project, scopes as Scope[], undefined, i));
  });
  return out;
}

function fromObjects(list: z.output<typeof KeyObject>[], ctx: z.RefinementCtx): ApiKey[] {
  return list.flatMap((k, i) => {
    if ((k.key === undefined) === (k.sha256 === undefined)) {
      ctx.addIssue({ code: 'custom', message: `key ${i + 1} (${k.name ?? k.project}): give either key (the secret, or sha256:<hex>) or sha256 (the hex hash)` });
      return [];
    }
    return [toApiKey(k.key ?? `sha256:${k.sha256}`, k.project, k.scopes, k.name, i)];
  });
}

/** Two entries with the same secret would be ambiguous, two with the same name indistinguishable. */
function checkUnique(keys: ApiKey[], ctx: z.RefinementCtx): ApiKey[] {
  const byHash = new Map<string, string>();
  const names = new Set<string>();
  for (const k of keys) {
    const other = byHash.get(k.sha256);
    if (other !== undefined) ctx.addIssue({ code: 'custom', message: `keys "${other}" and "${k.name}" are the same secret: give each key its own secret` });
    byHash.set(k.sha256, k.name);
    if (names.has(k.name)) ctx.addIssue({ code: 'custom', message: `two keys are named "${k.name}": key names must be unique` });
    names.add(k.name);
  }
  return keys;
}

/**
 * The setting's schema: the compact string form, a JSON list in a string (environment), or a list of key
 * objects (config file). Yields the keys with their secrets already hashed.
 */
export const ApiKeysSchema = z
  .union([z.string(), z.array(KeyObject)])
  .transform((v, ctx): ApiKey[] => {
    if (typeof v !== 'string') return checkUnique(fromObjects(v, ctx), ctx);
    if (v.trim().startsWith('[')) {
      let doc: unknown;
      try {
        doc = JSON.parse(v);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: `not valid JSON: ${(e as Error).message}` });
        return [];
      }
      const list = z.array(KeyObject).safeParse(doc);
      if (!list.success) {
        for (const issue of list.error.issues) ctx.addIssue({ code: 'custom', message: `key ${Number(issue.path[0]) + 1}: ${issue.path.slice(1).join('.') || 'entry'}: ${issue.message}` });
        return [];
      }
      return checkUnique(fromObjects(list.data, ctx), ctx);
    }
    return checkUnique(parseCompact(v, ctx), ctx);
  });

/** A refusal: 401 (no usable key) or 403 (a key without the scope). */
export class AuthError extends TracemillError {
  override name = 'AuthError';
  constructor(status: 401 | 403, message: string) {
    super(status === 401 ? 'unauthenticated' : 'forbidden', message);
  }
}

export const KEY_REQUIRED =
  'an API key is required: send "Authorization: Bearer <key>" or "x-api-key: <key>" (for OpenTelemetry exporters: OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer%20<key>; for the CLI: TRACEMILL_API_KEY)';
const KEY_UNKNOWN = 'the API key is not valid: it matches none of the keys in TRACEMILL_API_KEYS; check for a typo or a rotated key';

const ALL_SCOPES: ReadonlySet<Scope> = new Set(SCOPES);

/** Throws AuthError unless `principal` holds `scope` (401 when no key was presented at all). */
export function checkScope(principal: Principal, scope: Scope): void {
  if (principal.scopes.has(scope)) return;
  if (principal.keyName === undefined) throw new AuthError(401, KEY_REQUIRED);
  const has = [...principal.scopes].join(', ') || 'none';
  throw new AuthError(403, `the API key "${principal.keyName}" lacks the ${scope} scope (it has: ${has}); use a key of project "${principal.project}" with the ${scope} scope`);
}

/** Resolves presented keys to principals. With no keys configured, everyone is the default project with every scope. */
export class KeyRing {
  private readonly keys: { digest: Buffer; key: ApiKey }[];

  constructor(
    keys: readonly ApiKey[],
    private readonly defaultProject: string,
  ) {
    this.keys = keys.map((key) => ({ digest: Buffer.from(key.sha256, 'hex'), key }));
  }

  get enabled(): boolean {
    return this.keys.length > 0;
  }

  /** Who needs no key: keys off, the default project with every scope; keys on, nobody (no project, no scope). */
  get anonymous(): Principal {
    return this.enabled ? { project: '', scopes: new Set() } : { project: this.defaultProject, scopes: ALL_SCOPES };
  }

  /** The principal of a presented secret; AuthError 401 when keys are on and it is missing or unknown. */
  identify(secret: string | undefined): Principal {
    if (!this.enabled) return this.anonymous;
    if (!secret) throw new AuthError(401, KEY_REQUIRED);
    // Compare the hash against every key, in constant time and without stopping at a match.
    const digest = createHash('sha256').update(secret, 'utf8').digest();
    let found: ApiKey | undefined;
    for (const k of this.keys) if (timingSafeEqual(digest, k.digest)) found = k.key;
    if (!found) throw new AuthError(401, KEY_UNKNOWN);
    return { project: found.project, scopes: found.scopes, keyName: found.name };
  }

  /** identify() then checkScope(): the principal, allowed `scope`; throws AuthError otherwise. */
  authenticate(secret: string | undefined, scope: Scope): Principal {
    const principal = this.identify(secret);
    checkScope(principal, scope);
    return principal;
  }
}

/** The secret from `Authorization: Bearer <key>` or `x-api-key: <key>` (HTTP headers or gRPC metadata). */
export function presentedKey(authorization: string | undefined, xApiKey: string | undefined): string | undefined {
  if (authorization) {
    const m = /^\s*Bearer\s+(.+?)\s*$/i.exec(authorization);
    if (m) return m[1];
  }
  return xApiKey?.trim() || undefined;
}

/** Addresses where serving without keys is safe: only this machine can connect. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return h === 'localhost' || h === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(h);
}

/** The safe default: refuses a non-loopback address without keys unless explicitly allowed. */
export function unsafeExposure(opts: { host: string; keysEnabled: boolean; allowUnauthenticated: boolean }): string | undefined {
  if (opts.keysEnabled || opts.allowUnauthenticated || isLoopback(opts.host)) return undefined;
  return (
    `refusing to listen on ${opts.host} without API keys: anyone who can reach it could send data and read every prompt and tool argument. ` +
    'Set TRACEMILL_API_KEYS (docs/security.md), or TRACEMILL_HOST=127.0.0.1, or TRACEMILL_ALLOW_UNAUTHENTICATED=1 if a proxy in front of tracemill authenticates.'
  );
}
