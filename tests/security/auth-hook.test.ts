// The auth hook and requireScope() on a bare fastify instance (no store): what other route groups rely on.
import Fastify from 'fastify';
import t from 'tap';
import { installAuth, requireScope, scopeFor } from '../../src/api/auth.js';
import { ApiKeysSchema, KeyRing } from '../../src/auth/keys.js';
import { RateLimiter } from '../../src/auth/rate-limit.js';
import { refuseExport } from '../../src/receivers/http.js';

const SECRETS = { read: 'p1-read-secret-00001', readAdmin: 'p1-read-admin-secret-01', ingest: 'p2-ingest-secret-0001' };
const KEYS = ApiKeysSchema.parse(`p1:read:${SECRETS.read}, p1:read+admin:${SECRETS.readAdmin}, p2:ingest:${SECRETS.ingest}`);

async function app(keys = KEYS, rps = 0) {
  const app = Fastify();
  installAuth(app, {
    ring: new KeyRing(keys, 'dflt'),
    limiter: new RateLimiter(rps),
    retryAfterSeconds: 7,
    refuseIngest: (req, reply, err) => refuseExport(req, reply, err, 7),
  });
  app.get('/healthz', async (req) => ({ project: req.principal.project, scopes: [...req.principal.scopes] }));
  app.get('/api/v1/things/:id', async (req) => ({ project: req.principal.project, key: req.principal.keyName ?? null }));
  app.get('/api/v1/special', { preHandler: requireScope('admin') }, async (req) => ({ project: req.principal.project }));
  app.post('/v1/traces', async (req) => ({ project: req.principal.project }));
  await app.ready();
  t.teardown(() => app.close());
  return app;
}

const bearer = (k: string) => ({ authorization: `Bearer ${k}` });

t.test('the scope of a route comes from its pattern', async (t) => {
  t.equal(scopeFor('/healthz'), null);
  t.equal(scopeFor('/docs/static/*'), null);
  t.equal(scopeFor(undefined), null, 'unmatched: a 404, nothing to protect');
  t.equal(scopeFor('/v1/logs'), 'ingest');
  t.equal(scopeFor('/api/v1/admin/migrate'), 'admin');
  t.equal(scopeFor('/metrics'), 'admin');
  t.equal(scopeFor('/api/v1/traces/:traceId'), 'read');
  t.equal(scopeFor('/anything/new'), 'read', 'a new route needs a key by default');
});

t.test('principal, scopes and requireScope with keys', async (t) => {
  const a = await app();
  const res = await a.inject({ url: '/api/v1/things/1', headers: bearer(SECRETS.read) });
  t.same(res.json(), { project: 'p1', key: 'key1' });
  t.equal((await a.inject({ url: '/api/v1/th%69ngs/1', headers: { 'x-api-key': SECRETS.read } })).statusCode, 200, 'x-api-key');
  const none = await a.inject({ url: '/api/v1/things/1' });
  t.equal(none.statusCode, 401);
  t.match(none.headers['www-authenticate'], /^Bearer/);
  t.match(none.json().message, /Authorization: Bearer <key>.*x-api-key/);
  const bad = await a.inject({ url: '/api/v1/things/1', headers: bearer('wrong-wrong-wrong-wrong') });
  t.equal(bad.statusCode, 401);
  t.match(bad.json().message, /not valid/);
  const wrong = await a.inject({ url: '/api/v1/things/1', headers: bearer(SECRETS.ingest) });
  t.equal(wrong.statusCode, 403);
  t.match(wrong.json().message, /"key3" lacks the read scope \(it has: ingest\)/);

  t.equal((await a.inject({ url: '/api/v1/special', headers: bearer(SECRETS.read) })).statusCode, 403, 'requireScope: read is not enough');
  t.match((await a.inject({ url: '/api/v1/special', headers: bearer(SECRETS.read) })).json().message, /lacks the admin scope/);
  t.same((await a.inject({ url: '/api/v1/special', headers: bearer(SECRETS.readAdmin) })).json(), { project: 'p1' });
  t.equal((await a.inject({ url: '/api/v1/sp%65cial', headers: bearer(SECRETS.read) })).statusCode, 403, 'an encoded path is the same route');

  t.same((await a.inject({ url: '/healthz' })).json(), { project: '', scopes: [] }, 'open routes: no project, no scope');

  const otlp = await a.inject({ method: 'POST', url: '/v1/traces', headers: { 'content-type': 'application/json', ...bearer(SECRETS.read) }, payload: '{}' });
  t.equal(otlp.statusCode, 403);
  t.match(otlp.json(), { code: 7, message: /lacks the ingest scope/ }, 'OTLP routes answer a google.rpc.Status (PERMISSION_DENIED)');
  const otlpNone = await a.inject({ method: 'POST', url: '/v1/traces', headers: { 'content-type': 'application/x-protobuf' }, payload: Buffer.alloc(0) });
  t.equal(otlpNone.statusCode, 401);
  t.equal(otlpNone.headers['content-type'], 'application/x-protobuf', 'in the request\'s encoding');
  t.same((await a.inject({ method: 'POST', url: '/v1/traces', headers: { 'content-type': 'application/json', ...bearer(SECRETS.ingest) }, payload: '{}' })).json(), { project: 'p2' });
});

t.test('without keys: the default project, every scope, no key name', async (t) => {
  const a = await app([]);
  t.same((await a.inject({ url: '/api/v1/things/1' })).json(), { project: 'dflt', key: null });
  t.same((await a.inject({ url: '/api/v1/special' })).json(), { project: 'dflt' });
  t.same((await a.inject({ url: '/healthz' })).json().scopes, ['ingest', 'read', 'admin']);
});

t.test('rate limit: a bucket per key, failed attempts per address', async (t) => {
  const a = await app(KEYS, 1); // bursts of 2
  const read = async (h: Record<string, string>) => (await a.inject({ url: '/api/v1/things/1', headers: h })).statusCode;
  t.same([await read(bearer(SECRETS.read)), await read(bearer(SECRETS.read)), await read(bearer(SECRETS.read))], [200, 200, 429]);
  const limited = await a.inject({ url: '/api/v1/things/1', headers: bearer(SECRETS.read) });
  t.equal(limited.headers['retry-after'], '7');
  t.match(limited.json().message, /more than 1 requests per second from this API key/);
  t.equal(await read(bearer(SECRETS.readAdmin)), 200, 'another key has its own bucket');
  t.same([await read(bearer('guess-guess-guess-0001')), await read(bearer('guess-guess-guess-0002')), await read(bearer('guess-guess-guess-0003'))], [401, 401, 429]);
  t.equal((await a.inject({ url: '/healthz' })).statusCode, 200, 'open routes are not limited');
});
