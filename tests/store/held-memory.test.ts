// While an export waits for its commit, only its encoded rows are held: not the request body, not the decoded
// spans. (Both used to be held through the wait by async frames; at the maximum rate on the agent mix, that kept
// ~64 requests' decoded message strings alive and cost a third of the throughput in garbage collection.)
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import t from 'tap';
import { createSink, spanRows } from '../../src/pipeline.js';
import { runExport } from '../../src/receivers/export.js';
import { tracesSignal } from '../../src/receivers/signals.js';
import { BatchWriter } from '../../src/store/writer.js';
import { scratchStore } from '../helpers/store.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const store = await scratchStore(t, 'held');

const traceId = 'ab'.repeat(16);
const request = JSON.stringify({
  resourceSpans: [
    {
      scopeSpans: [
        {
          spans: Array.from({ length: 50 }, (_, i) => ({
            traceId,
            spanId: (i + 1).toString(16).padStart(16, '0'),
            name: 'chat',
            startTimeUnixNano: '1700000000000000000',
            endTimeUnixNano: '1700000001000000000',
            attributes: [{ key: 'gen_ai.input.messages', value: { stringValue: JSON.stringify([{ role: 'user', content: 'x'.repeat(2000 + i) }]) } }],
          })),
        },
      ],
    },
  ],
});

async function collect(): Promise<void> {
  // A WeakRef's target survives the job that created or read it: let it end before collecting.
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 10));
    gc();
  }
}

t.test('an export waiting for its commit holds neither its body nor its decoded spans', async (t) => {
  // The flush waits maxDelayMs, long enough to look at the heap in between.
  const writer = new BatchWriter(store, { maxRows: 100_000, maxDelayMs: 1500, maxQueueBytes: 1 << 26 });
  let items: WeakRef<object> | undefined;
  const build = spanRows();
  const sink = createSink(writer, {
    traces: (decoded, ctx) => {
      items = new WeakRef(decoded);
      return build(decoded, ctx);
    },
  });
  let body: WeakRef<Buffer> | undefined;
  const committed = (() => {
    const buf = Buffer.from(request);
    body = new WeakRef(buf);
    return runExport(tracesSignal, buf, 'json', 'p', sink);
  })();
  await collect();
  t.ok(writer.queuedBytes > 0, 'the rows are still waiting for their INSERT');
  t.equal(body?.deref(), undefined, 'the request body was collected');
  t.equal(items?.deref(), undefined, 'the decoded spans were collected');
  t.equal(await committed, undefined, 'then the export succeeds in full');
  const [r] = await store.query<{ n: string }>('SELECT count() AS n FROM spans WHERE trace_id = {t:String}', { t: traceId });
  t.equal(Number(r.n), 50, 'with every span committed');
});
