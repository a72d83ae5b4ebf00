import t from 'tap';
import { post, startTestService } from './helpers/service.js';

t.test('service starts on embedded storage, answers health and stores a JSON span', async (t) => {
  const svc = await startTestService();
  t.teardown(() => svc.stop());
  t.equal((await fetch(`${svc.httpUrl}/healthz`)).status, 200);
  t.equal((await fetch(`${svc.httpUrl}/readyz`)).status, 200);
  const doc = {
    resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'smoke' } }] }, scopeSpans: [{ spans: [{ traceId: '0102030405060708090a0b0c0d0e0f10', spanId: '0102030405060708', name: 'op', startTimeUnixNano: '1795582931004000000', endTimeUnixNano: '1795582931005000000' }] }] }],
  };
  const res = await post(`${svc.httpUrl}/v1/traces`, JSON.stringify(doc), { 'content-type': 'application/json' });
  t.equal(res.status, 200);
  t.equal(res.body.toString(), '{}');
  const rows = await svc.rows<{ name: string; service_name: string }>('SELECT name, service_name FROM spans FINAL');
  t.same(rows, [{ name: 'op', service_name: 'smoke' }]);
});
