// API keys: each bound to one project with a set of scopes, held only as SHA-256 hashes.
// Configured as TRACEMILL_API_KEYS ("project:scope+scope:secret, ...") or as a list in the config file.
import { createHash } from 'node:crypto';
import { z } from 'zod';

export const SCOPES = ['ingest', 'read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export interface ApiKey {
  /** SHA-256 of the secret, lowercase hex. */
  sha256: string;
  project: string;
  scopes: ReadonlySet<Scope>;
  name: string;
}

export interface Principal {
  project: string;
  scopes: ReadonlySet<Scope>;
  /** The key's name, for logs and counters; '' when keys are off. */
  keyName: string;
}

const PROJECT = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'a project id is 1-128 letters, digits, _ . - (starting with a letter or digit)');
const SECRET_OR_HASH = z
  .string()
  .min(1)
  .refine((s) => !s.startsWith('sha256:') || /^sha256:[0-9a-f]{64}$/.test(s), 'sha256: must be followed by 64 lowercase hex digits')
  .refine((s) => s.startsWith('sha256:') || s.length >= 16, 'a key must be at least 16 characters (or give its hash as sha256:<hex>)');

const KeyObject = z.strictObject({
  key: SECRET_OR_HASH.optional().meta({ description: 'The secret, or sha256:<hex> of it' }),
  sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  project: PROJECT,
  scopes: z.array(z.enum(SCOPES)).min(1),
  name: z.string().max(128).optional(),
});

export function hashKey(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

function toApiKey(secretOrHash: string, project: string, scopes: Scope[], name: string | undefined, index: number): ApiKey {
  const sha256 = secretOrHash.startsWith('sha256:') ? secretOrHash.slice(7) : hashKey(secretOrHash);
  return { sha256, project, scopes: new Set(scopes), name: name ?? `key${index + 1}` };
}

/** "project:scope+scope:secret" entries separated by commas or newlines (the secret may contain ':'). */
function parseCompact(text: string, ctx: z.RefinementCtx): ApiKey[] {
  const out: ApiKey[] = [];
  const entries = text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
  entries.forEach((entry, i) => {
    const [project, scopeText, ...rest] = entry.split(':');
    const secret = rest.join(':');
    const scopes = (scopeText ?? '').split('+').filter(Boolean);
    const problems: string[] = [];
    if (!PROJECT.safeParse(project).success) problems.push(`project "${project}" is not a valid project id`);
    const bad = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
    if (scopes.length === 0 || bad.length) problems.push(`scopes must be ${SCOPES.join(', ')} joined with + (got "${scopeText ?? ''}")`);
    const s = SECRET_OR_HASH.safeParse(secret);
    if (!s.success) problems.push(s.error.issues[0].message);
    if (problems.length) {
      ctx.addIssue({ code: 'custom', message: `entry ${i + 1} ("${project}:${scopeText ?? ''}:…"): ${problems.join('; ')} — expected project:scope+scope:secret` });
      return;
    }
    out.push(toApiKey(secret, project, scopes as Scope[], undefined, i));
  });
  return out;
}

/** The setting's schema: the compact string form, or a list of key objects (config file). */
export const ApiKeysSchema = z.union([z.string(), z.array(KeyObject)]).transform((v, ctx): ApiKey[] => {
  if (typeof v === 'string') return parseCompact(v, ctx);
  return v.flatMap((k, i) => {
    const secret = k.key ?? (k.sha256 ? `sha256:${k.sha256}` : undefined);
    if (!secret) {
      ctx.addIssue({ code: 'custom', message: `key ${i + 1} (${k.name ?? k.project}): give key or sha256` });
      return [];
    }
    return [toApiKey(secret, k.project, k.scopes, k.name, i)];
  });
});

export class AuthError extends Error {
  override name = 'AuthError';
  constructor(
    readonly statusCode: 401 | 403,
    message: string,
  ) {
    super(message);
  }
}

const ALL_SCOPES: ReadonlySet<Scope> = new Set(SCOPES);

/** Resolves presented keys to principals. With no keys configured, everyone is the default project. */
export class KeyRing {
  private readonly byHash: Map<string, ApiKey>;

  constructor(
    keys: readonly ApiKey[],
    private readonly defaultProject: string,
  ) {
    this.byHash = new Map(keys.map((k) => [k.sha256, k]));
  }

  get enabled(): boolean {
    return this.byHash.size > 0;
  }

  /** The principal for a presented secret (or none), allowed `scope`; throws AuthError otherwise. */
  authenticate(secret: string | undefined, scope: Scope): Principal {
    if (!this.enabled) return { project: this.defaultProject, scopes: ALL_SCOPES, keyName: '' };
    if (!secret) throw new AuthError(401, 'an API key is required: send "Authorization: Bearer <key>" or "x-api-key: <key>" (OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer%20<key>)');
    // Looking up the hash reveals nothing usable about the secret, unlike comparing secrets byte by byte.
    const key = this.byHash.get(hashKey(secret));
    if (!key) throw new AuthError(401, 'the API key is not valid');
    if (!key.scopes.has(scope)) {
      throw new AuthError(403, `the API key "${key.name}" lacks the ${scope} scope (it has: ${[...key.scopes].join(', ')})`);
    }
    return { project: key.project, scopes: key.scopes, keyName: key.name };
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
