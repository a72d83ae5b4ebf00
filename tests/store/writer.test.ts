// Group commit against the real embedded store: INSERTs are spaced by minIntervalMs under load, a full batch
// does not wait, and every write resolves only once its rows are in the table.
import t from 'tap';
import { decodeTracesJson } from '../../src/receivers/otlp/traces.js';
import { encodeSpans } from '../../src/store/rows/spans.js';
import { BatchWriter } from '../../src/store/writer.js';
import { scratchStore } from '../helpers/store.js';
import { SESSION_KEYS } from '../../src/normalize/dialects/index.js';

const store = await scratchStore(t, 'writer');

let seq = 0;
/** Rows of `n` spans of a fresh trace. */
function rows(n: number) {
  const traceId = (++seq).toString(16).padStart(32, '0');
  const spans = Array.from({ length: n }, (_, i) => ({
    traceId,
    spanId: (i + 1).toString(16).padStart(16, '0'),
    name: 'step',
    startTimeUnixNano: '1700000000000000000',
    endTimeUnixNano: '1700000001000000000',
  }));
  return { traceId, table: encodeSpans('p', decodeTracesJson({ resourceSpans: [{ scopeSpans: [{ spans }] }] }).items, SESSION_KEYS) };
}

async function count(traceIds: string[]): Promise<number> {
  const [r] = await store.query<{ n: string }>('SELECT count() AS n FROM spans WHERE trace_id IN {t:Array(String)}', { t: traceIds });
  return Number(r.n);
}

t.test('under load, INSERTs start at least minIntervalMs apart and take what waited meanwhile', async (t) => {
  const starts: number[] = [];
  const sizes: number[] = [];
  const writer = new BatchWriter(store, {
    maxRows: 10_000,
    maxDelayMs: 1,
    minIntervalMs: 400,
    maxQueueBytes: 1 << 26,
    onInsert: (seconds, ok, written) => {
      starts.push(performance.now() - seconds * 1000);
      sizes.push(written.spans ?? 0);
    },
  });
  const first = rows(3);
  await writer.write([first.table]);
  t.equal(await count([first.traceId]), 3, 'committed when the write resolved');
  const more = [rows(2), rows(4), rows(5)];
  const t0 = performance.now();
  await Promise.all(more.map((r) => writer.write([r.table])));
  t.equal(await count(more.map((r) => r.traceId)), 11, 'all committed');
  t.same(sizes, [3, 11], 'the three writes went in one INSERT');
  t.ok(starts[1] - starts[0] >= 390, `the second INSERT started ${Math.round(starts[1] - starts[0])} ms after the first`);
  t.ok(performance.now() - t0 < 5000, 'and was not held longer than needed');
  await writer.close();
});

t.test('a full batch goes at once, and an idle writer does not wait', async (t) => {
  const starts: number[] = [];
  const writer = new BatchWriter(store, {
    maxRows: 5,
    maxDelayMs: 1,
    minIntervalMs: 60_000,
    maxQueueBytes: 1 << 26,
    onInsert: (seconds) => starts.push(performance.now() - seconds * 1000),
  });
  const t0 = performance.now();
  const a = rows(2);
  await writer.write([a.table]);
  t.ok(performance.now() - t0 < 5000, 'the first write after idle waits only maxDelayMs');
  const full = rows(6);
  await writer.write([full.table]);
  t.ok(performance.now() - t0 < 10_000, 'maxRows waiting: no minimum interval');
  t.equal(await count([a.traceId, full.traceId]), 8);
  await writer.close();
});
