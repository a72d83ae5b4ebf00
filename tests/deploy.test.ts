// deploy/ stays true to the code: the variables it sets are settings, its ports are the service's, its probes
// are the health routes, and the cluster example has what the cluster SQL needs. (No Docker or Kubernetes
// here: the files are parsed and read, not run.)
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { parse, parseAllDocuments } from 'yaml';
import { SETTINGS } from '../src/config.js';
import { replicaPath } from '../src/store/cluster.js';

const ROOT = join(import.meta.dirname, '..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');
const SETTING_NAMES = new Set<string>(Object.values(SETTINGS).map(([env]) => env));
const PORTS = [String(SETTINGS.grpcPort[1].parse(undefined)), String(SETTINGS.httpPort[1].parse(undefined))].sort();
const health = read('src/api/health.ts');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = Record<string, any>;

t.test('the health routes the probes use exist', async (t) => {
  t.match(health, `app.get('/readyz'`);
  t.match(health, `app.get('/healthz'`);
  t.same(PORTS, ['4317', '4318']);
});

t.test('Dockerfile: two stages, stubs before npm ci, non-root, ports, health check, data volume', async (t) => {
  const text = read('deploy/Dockerfile').replace(/\\\n/g, ' ');
  const lines = text.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
  const stages = text.split(/^FROM /m).slice(1);
  t.equal(stages.length, 2, 'build and runtime stages');
  t.match(stages[0], /^\S+ AS build/);
  t.match(stages[0], /RUN npm run build/);
  t.match(stages[1], /RUN npm ci --omit=dev/);
  t.match(stages[1], /COPY --from=build \/app\/dist\/src/);
  for (const [i, stage] of stages.entries()) {
    const stubs = stage.indexOf('COPY deploy/npm-stubs');
    t.ok(stubs >= 0 && stubs < stage.indexOf('RUN npm ci'), `stage ${i + 1} copies deploy/npm-stubs before npm ci`);
  }
  for (const l of lines.filter((l) => l.startsWith('COPY ') && !l.includes('--from'))) {
    for (const src of l.split(/\s+/).slice(1, -1)) t.ok(existsSync(join(ROOT, src)), `COPY ${src} exists`);
  }
  const user = lines.find((l) => l.startsWith('USER '))?.split(/\s+/)[1];
  t.ok(user && user !== 'root' && user !== '0', `runs as ${user}`);
  t.same(lines.find((l) => l.startsWith('EXPOSE '))?.split(/\s+/).slice(1).sort(), PORTS);
  t.match(lines.find((l) => l.startsWith('HEALTHCHECK ')), '/readyz');
  const env = new Map([...text.matchAll(/\b([A-Z_]+)=(\S+)/g)].filter(([, k]) => k.startsWith('TRACEMILL_') || k.startsWith('CLICKHOUSE_')).map(([, k, v]) => [k, v]));
  for (const k of env.keys()) t.ok(SETTING_NAMES.has(k), `${k} is a setting`);
  t.equal(env.get('TRACEMILL_HOST'), '0.0.0.0');
  t.match(lines.find((l) => l.startsWith('VOLUME ')), env.get('TRACEMILL_DATA_DIR')!, 'the data directory is a volume');
  t.ok(existsSync(join(ROOT, 'deploy/Dockerfile.dockerignore')));
});

function checkTracemillService(t: Test, file: string, doc: Obj, name = 'tracemill'): Obj {
  const svc = doc.services[name];
  const env = svc.environment as Obj;
  for (const k of Object.keys(env)) t.ok(SETTING_NAMES.has(k), `${file}: ${k} is a setting`);
  t.equal(env.TRACEMILL_HOST, '0.0.0.0', `${file}: listens beyond loopback`);
  t.match(env.TRACEMILL_API_KEYS, /^\$\{TRACEMILL_API_KEYS:\?/, `${file}: so it requires API keys`);
  t.same(svc.ports.map((p: string) => p.split(':')).map(([a, b]: string[]) => [a, b]).sort(), PORTS.map((p) => [p, p]), `${file}: publishes ${PORTS}`);
  t.match(svc.healthcheck.test.join(' '), '/readyz', `${file}: health check on /readyz`);
  t.equal(svc.build.dockerfile, 'deploy/Dockerfile');
  t.ok(existsSync(join(ROOT, 'deploy', file, '..', svc.build.context, 'deploy/Dockerfile')), `${file}: build context is the repository root`);
  const host = new URL(env.CLICKHOUSE_URL).hostname;
  t.ok(doc.services[host]?.healthcheck, `${file}: CLICKHOUSE_URL names a service with a health check (${host})`);
  t.equal(svc.depends_on[host]?.condition, 'service_healthy', `${file}: started once ${host} is healthy`);
  return env;
}

t.test('docker-compose.yml: tracemill and a ClickHouse server', async (t) => {
  const doc = parse(read('deploy/docker-compose.yml')) as Obj;
  checkTracemillService(t, 'docker-compose.yml', doc);
  t.ok(doc.services.clickhouse.volumes.some((v: string) => v.endsWith(':/var/lib/clickhouse')), 'ClickHouse data on a volume');
  t.equal(doc.services.clickhouse.environment.CLICKHOUSE_DB, doc.services.tracemill.environment.CLICKHOUSE_DATABASE, 'the database tracemill uses is created');
});

t.test('the cluster example: what the cluster SQL needs, and a compose file to try it', async (t) => {
  const xml = read('deploy/clickhouse/config.d/cluster.xml');
  const macros = /<macros>([\s\S]*?)<\/macros>/.exec(xml)?.[1] ?? '';
  for (const macro of [...`${replicaPath('t')} {replica}`.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).filter((m) => m !== 'database')) {
    t.match(macros, new RegExp(`<${macro}[ >]`), `macro {${macro}} is defined`);
  }
  t.match(xml, /<zookeeper>\s*<node>/, 'Keeper is configured');
  t.match(xml, /<distributed_ddl>\s*<path>/, 'ON CLUSTER DDL has its queue');
  const cluster = /<remote_servers>\s*<(\w+)>/.exec(xml)?.[1];
  const hosts = [...xml.matchAll(/<replica><host>([^<]+)<\/host>/g)].map((m) => m[1]);
  t.equal(hosts.length, 4, '2 shards x 2 replicas');

  const doc = parse(read('deploy/clickhouse/docker-compose.yml'), { merge: true }) as Obj;
  const env = checkTracemillService(t, 'clickhouse/docker-compose.yml', doc);
  t.equal(env.TRACEMILL_CLICKHOUSE_CLUSTER, cluster, 'tracemill names the cluster of remote_servers');
  t.ok(SETTINGS.clickhouseCluster[1].safeParse(cluster).success, 'a valid TRACEMILL_CLICKHOUSE_CLUSTER');
  const replicas = new Set<string>();
  for (const host of hosts) {
    const s = doc.services[host];
    t.ok(s, `${host} is a service`);
    t.ok(s.volumes.some((v: string) => v.startsWith('./config.d/cluster.xml:/etc/clickhouse-server/config.d/')), `${host} mounts cluster.xml`);
    t.match(s.environment.CLICKHOUSE_SHARD, /^\d+$/, `${host} has a shard`);
    replicas.add(`${s.environment.CLICKHOUSE_SHARD}/${s.environment.CLICKHOUSE_REPLICA}`);
  }
  t.equal(replicas.size, hosts.length, 'each host is a distinct replica');
  t.ok(existsSync(join(ROOT, 'deploy/clickhouse/keeper/keeper_config.xml')));
  t.ok(doc.services[/<zookeeper>\s*<node><host>([^<]+)</.exec(xml)![1]], 'the Keeper host is a service');
});

t.test('k8s manifests: settings, ports, probes, resources and the objects they name', async (t) => {
  const dir = join(ROOT, 'deploy/k8s');
  const objects: Obj[] = [];
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    for (const d of parseAllDocuments(readFileSync(join(dir, f), 'utf8'))) {
      t.same(d.errors, [], `${f} parses`);
      objects.push({ ...(d.toJS() as Obj), file: f });
    }
  }
  const one = (kind: string, name = 'tracemill') => objects.find((o) => o.kind === kind && o.metadata?.name === name)!;
  const kustomization = objects.find((o) => o.kind === 'Kustomization')!;
  for (const r of kustomization.resources) t.ok(existsSync(join(dir, r)), `kustomization: ${r}`);

  const config = one('ConfigMap');
  const secret = one('Secret');
  for (const k of [...Object.keys(config.data), ...Object.keys(secret.stringData)]) t.ok(SETTING_NAMES.has(k), `${k} is a setting`);
  t.equal(config.data.TRACEMILL_HOST, '0.0.0.0');
  t.ok(secret.stringData.TRACEMILL_API_KEYS, 'API keys come from the Secret');
  t.ok(SETTINGS.clickhouseCluster[1].safeParse(config.data.TRACEMILL_CLICKHOUSE_CLUSTER).success);
  t.same([config.data.TRACEMILL_GRPC_PORT, config.data.TRACEMILL_HTTP_PORT].sort(), PORTS);

  const deployment = one('Deployment');
  const pod = deployment.spec.template;
  t.same(deployment.spec.selector.matchLabels, pick(pod.metadata.labels, Object.keys(deployment.spec.selector.matchLabels)));
  const [c] = pod.spec.containers;
  const ports = new Map<string, number>(c.ports.map((p: Obj) => [p.name, p.containerPort]));
  t.same([...ports.values()].map(String).sort(), PORTS);
  t.same(c.envFrom, [{ configMapRef: { name: config.metadata.name } }, { secretRef: { name: secret.metadata.name } }]);
  t.equal(c.readinessProbe.httpGet.path, '/readyz');
  t.equal(c.livenessProbe.httpGet.path, '/healthz');
  t.equal(c.startupProbe.httpGet.path, '/healthz');
  for (const p of [c.readinessProbe, c.livenessProbe, c.startupProbe]) t.equal(ports.get(p.httpGet.port), Number(config.data.TRACEMILL_HTTP_PORT), 'probes on the HTTP port');
  t.ok(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory, 'resources');
  t.ok(pod.spec.securityContext.runAsNonRoot && c.securityContext.readOnlyRootFilesystem, 'non-root, read-only root');
  t.ok(c.volumeMounts.some((m: Obj) => m.mountPath === '/tmp'), 'a writable /tmp');

  const service = one('Service');
  t.same(service.spec.selector, pick(pod.metadata.labels, Object.keys(service.spec.selector)), 'the Service selects the pods');
  for (const p of service.spec.ports) t.equal(ports.get(p.targetPort), p.port, `Service ${p.name} -> container ${p.targetPort}`);

  const hpa = one('HorizontalPodAutoscaler');
  t.same(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
  t.ok(hpa.spec.minReplicas >= 2 && hpa.spec.maxReplicas > hpa.spec.minReplicas);
  t.same(one('PodDisruptionBudget').spec.selector.matchLabels, deployment.spec.selector.matchLabels);

  const jobs = objects.filter((o) => o.kind === 'Job');
  t.same(jobs.map((j) => j.spec.template.spec.containers[0].args[0]).sort(), ['migrate', 'renormalize']);
  for (const j of jobs) {
    t.same(j.spec.template.spec.containers[0].envFrom, c.envFrom, `${j.file}: the Deployment's settings`);
    t.notOk(kustomization.resources.includes(j.file), `${j.file}: a one-off, outside the kustomization`);
  }
});

function pick(o: Obj, keys: string[]): Obj {
  return Object.fromEntries(keys.map((k) => [k, o[k]]));
}
