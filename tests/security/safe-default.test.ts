// Without keys tracemill binds to loopback only, and a per-caller rate limit answers 429 / UNAVAILABLE.
import * as grpc from '@grpc/grpc-js';
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiKeysSchema, KeyRing, hashKey, presentedKey, unsafeExposure } from '../../src/auth/keys.js';
import { RateLimitedError, RateLimiter } from '../../src/auth/rate-limit.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { startService } from '../../src/service.js';
import { grpcExport } from '../helpers/grpc.js';
import { encodeTraces } from '../helpers/otlp-encode.js';
import { post, startTestService } from '../helpers/service.js';

t.test('no keys on a public address: refused, with what to do', async (t) => {
  for (const host of ['0.0.0.0', '::', '10.1.2.3']) {
    await t.rejects(startService(loadConfig({}, { host, httpPort: 0, grpcPort: 0, dataDir: '/nonexistent' })), {
      name: 'ConfigError',
      message: /without API keys.*TRACEMILL_API_KEYS.*TRACEMILL_ALLOW_UNAUTHENTICATED=1/s,
    });
  }
  t.ok(new ConfigError('x'));
  const exposed = (host: string, env: NodeJS.ProcessEnv = {}) => {
    const c = loadConfig(env, { host });
    return unsafeExposure({ host: c.host, keysEnabled: new KeyRing(c.apiKeys ?? [], c.defaultProject).enabled, allowUnauthenticated: c.allowUnauthenticated });
  };
  for (const host of ['127.0.0.1', '127.0.0.53', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) t.equal(exposed(host), undefined, `${host} is loopback`);
  t.match(exposed('0.0.0.0'), /refusing to listen on 0\.0\.0\.0 without API keys/);
  t.equal(exposed('0.0.0.0', { TRACEMILL_ALLOW_UNAUTHENTICATED: '1' }), undefined, 'TRACEMILL_ALLOW_UNAUTHENTICATED=1');
  t.equal(exposed('0.0.0.0', { TRACEMILL_API_KEYS: 'p:read:a-long-enough-secret' }), undefined, 'keys on');
});

t.test('the key settings: both forms, and errors that name the entry', async (t) => {
  const keys = ApiKeysSchema.parse('acme:ingest+read:secret-secret-0001, beta:admin:sha256:' + hashKey('another-secret-0001'));
  t.same(
    keys.map((k) => [k.project, [...k.scopes], k.name]),
    [
      ['acme', ['ingest', 'read'], 'key1'],
      ['beta', ['admin'], 'key2'],
    ],
  );
  t.notOk(JSON.stringify(keys).includes('secret-secret-0001'), 'only hashes are kept');
  const ring = new KeyRing(keys, 'default');
  t.equal(ring.authenticate('another-secret-0001', 'admin').project, 'beta');
  t.throws(() => ring.authenticate('another-secret-0001', 'read'), { statusCode: 403 } as never);
  t.throws(() => ring.authenticate(undefined, 'read'), { statusCode: 401 } as never);
  t.same(new KeyRing([], 'default').authenticate(undefined, 'admin').project, 'default', 'keys off: the default project');

  const listed = ApiKeysSchema.parse([{ key: 'list-form-secret-0001', project: 'p1', scopes: ['read'], name: 'grafana' }]);
  t.equal(listed[0].name, 'grafana');
  const bad = ApiKeysSchema.safeParse('acme:write:short, :read:long-enough-secret-01');
  t.notOk(bad.success);
  t.match(bad.error?.issues.map((i) => i.message).join('\n'), /entry 1: .*the scopes must be ingest, read, admin.*at least 16 characters[\s\S]*entry 2\b.*not a valid project id/);
  t.throws(() => loadConfig({ TRACEMILL_API_KEYS: 'acme:read' }), /TRACEMILL_API_KEYS: entry 1/);
  t.equal(presentedKey('Bearer abc', undefined), 'abc');
  t.equal(presentedKey(undefined, ' xyz '), 'xyz');
  t.equal(presentedKey('Basic abc', undefined), undefined);
  t.equal(presentedKey('Basic abc', 'xyz'), 'xyz', 'a proxy\'s Authorization does not hide x-api-key');
});

t.test('the key settings: JSON in the environment, a YAML config file, and mistakes', async (t) => {
  const json = loadConfig({ TRACEMILL_API_KEYS: JSON.stringify([{ name: 'ci', project: 'acme', scopes: ['ingest'], key: 'json-form-secret-0001' }]) });
  t.same(json.apiKeys?.map((k) => [k.name, k.project, [...k.scopes], k.sha256]), [['ci', 'acme', ['ingest'], hashKey('json-form-secret-0001')]]);

  const dir = mkdtempSync(join(tmpdir(), 'tracemill-keys-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'tracemill.yaml');
  writeFileSync(
    file,
    [
      'apiKeys:',
      '  - { name: fleet, project: acme, scopes: [ingest], key: yaml-form-secret-0001 }',
      `  - { name: grafana, project: acme, scopes: [read], sha256: ${hashKey('grafana-secret-00001').toUpperCase()} }`,
      `  - { project: beta, scopes: [read, admin], key: "sha256:${hashKey('beta-ops-secret-0001')}" }`,
    ].join('\n'),
  );
  const ring = new KeyRing(loadConfig({ TRACEMILL_CONFIG: file }).apiKeys ?? [], 'default');
  t.same(ring.authenticate('yaml-form-secret-0001', 'ingest'), { project: 'acme', scopes: new Set(['ingest']), keyName: 'fleet' });
  t.equal(ring.authenticate('grafana-secret-00001', 'read').keyName, 'grafana', 'sha256 field (any case)');
  t.equal(ring.authenticate('beta-ops-secret-0001', 'admin').keyName, 'key3', 'key: sha256:<hex>');
  t.throws(() => ring.authenticate('sha256:' + hashKey('beta-ops-secret-0001'), 'read'), { statusCode: 401 } as never, 'the hash is not a key');

  t.throws(() => loadConfig({ TRACEMILL_API_KEYS: 'a:read:same-secret-000001,b:ingest:same-secret-000001' }), /keys "key1" and "key2" are the same secret/);
  t.throws(
    () => loadConfig({ TRACEMILL_API_KEYS: '[{"project":"a","scopes":["read"],"key":"long-enough-secret-1","sha256":"' + 'a'.repeat(64) + '"}]' }),
    /key 1 .*give either key .* or sha256/,
  );
  t.throws(() => loadConfig({ TRACEMILL_API_KEYS: '[{"project":"a","scopes":["write"],"key":"long-enough-secret-1"}]' }), /TRACEMILL_API_KEYS: key 1: scopes/);
  const err = (() => {
    try {
      loadConfig({ TRACEMILL_API_KEYS: 'acme:read:short-secret' });
    } catch (e) {
      return (e as Error).message;
    }
  })();
  t.match(err, /at least 16 characters/);
  t.notMatch(err, /short-secret/, 'a refused secret is not echoed');
  // The scope left out: the secret sits where the scopes belong, and is still never repeated.
  const secret = 'tm_0123456789abcdef0123';
  for (const entry of [`alpha:${secret}`, `alpha:${secret}:`, secret, `${secret}:read:x`, `alpha:read+${secret}:other-secret-00001`]) {
    const message = (() => {
      try {
        loadConfig({ TRACEMILL_API_KEYS: entry });
      } catch (e) {
        return (e as Error).message;
      }
      return 'accepted';
    })();
    t.match(message, /TRACEMILL_API_KEYS: entry 1/, `${entry.replace(secret, '<secret>')}: refused, the entry named`);
    t.notMatch(message, /tm_0123|0123456789abcdef/, `${entry.replace(secret, '<secret>')}: the secret is not repeated (${message})`);
  }
});

t.test('token buckets', async (t) => {
  const rl = new RateLimiter(2);
  for (let i = 0; i < 4; i++) rl.take('key:a', 1000);
  t.throws(() => rl.take('key:a', 1000), RateLimitedError, 'burst of twice the rate');
  rl.take('key:b', 1000);
  rl.take('key:a', 1500);
  t.throws(() => rl.take('key:a', 1500), RateLimitedError, 'refills at the rate');
  new RateLimiter(0).take('x');
});

t.test('the limit over HTTP and gRPC', async (t) => {
  const svc = await startTestService({ rateLimitRps: 1, retryAfterSeconds: 3 });
  t.teardown(() => svc.stop());
  const statuses: number[] = [];
  let retryAfter: string | null = null;
  for (let i = 0; i < 6; i++) {
    const r = await post(`${svc.httpUrl}/v1/traces`, encodeTraces([]), { 'content-type': 'application/x-protobuf' });
    statuses.push(r.status);
    if (r.status === 429) retryAfter = r.headers.get('retry-after');
  }
  t.ok(statuses.includes(200) && statuses.includes(429), statuses.join(','));
  t.equal(retryAfter, '3');
  const read = await fetch(`${svc.httpUrl}/api/v1/traces`);
  t.equal(read.status, 429, 'reads share the caller\'s bucket');
  const g = await grpcExport(svc.grpcPort, 'traces', encodeTraces([]));
  const g2 = await grpcExport(svc.grpcPort, 'traces', encodeTraces([]));
  const g3 = await grpcExport(svc.grpcPort, 'traces', encodeTraces([]));
  const limited = [g, g2, g3].find((r) => r.code === grpc.status.UNAVAILABLE);
  t.ok(limited, 'UNAVAILABLE (retryable) over gRPC');
  t.match(limited?.details, /TRACEMILL_RATE_LIMIT_RPS/);
  t.ok(limited?.metadata['grpc-status-details-bin'], 'with google.rpc.RetryInfo');
});
