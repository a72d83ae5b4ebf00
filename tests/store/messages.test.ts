// Content-addressed message history: histories are split into messages stored once, spans keep skeletons, and
// every reader gets back exactly the text that was sent.
import t from 'tap';
import { RAW_SPAN_SELECT, type RawSpanRow, restoreMessages } from '../../src/store/read/spans.js';
import { CommittedMessages, MESSAGE_REF, arrayElements, expandSkeleton, skeleton, splitHistories } from '../../src/store/rows/messages.js';
import { startTestService } from '../helpers/service.js';
import { encodeTraces } from '../helpers/otlp-encode.js';
import { decodeTracesJson } from '../../src/receivers/otlp/traces.js';

const long = (c: string, n = 300) => c.repeat(n);

t.test('arrayElements finds the top-level elements of a JSON array, exactly', async (t) => {
  const s = ' [ {"a":"x,]}"} , [1,[2]] ,"s\\"]," , 3 ] ';
  const els = arrayElements(s)!;
  t.same(
    els.map(([a, b]) => s.slice(a, b)),
    ['{"a":"x,]}"}', '[1,[2]]', '"s\\"],"', '3'],
  );
  t.same(arrayElements('[]'), []);
  for (const bad of ['', '{}', '[1,]', '[,1]', '[1] x', '[1', '["a]', '[1]]']) t.equal(arrayElements(bad), undefined, JSON.stringify(bad));
});

t.test('a skeleton expands to the text it was made from', async (t) => {
  const history = JSON.stringify([{ role: 'system', content: long('s') }, { role: 'user', content: 'hi' }, { role: 'assistant', content: long('é😀') }]);
  const pretty = JSON.stringify(JSON.parse(history), null, 2);
  for (const text of [history, pretty]) {
    const split = skeleton(text)!;
    t.ok(split, 'split');
    t.equal(split.messages.length, 2, 'the short message stays inline');
    t.ok(split.skeleton.length < 200, `skeleton is small (${split.skeleton.length} chars)`);
    const byKey = new Map(split.messages.map((m) => [m.key, m.text]));
    t.equal(expandSkeleton(split.skeleton, (k) => byKey.get(k)), text);
    t.equal(expandSkeleton(split.skeleton, () => undefined), undefined, 'a missing message is reported, not dropped');
  }
  t.equal(skeleton(JSON.stringify([{ content: long('x') }])), undefined, 'one message is not a history');
  t.equal(skeleton('[1, 2]'), undefined, 'short values stay as they are');
  t.equal(skeleton(`[${JSON.stringify(long('a'))}, "\u0000"]`), undefined, 'a value holding a NUL stays as it is');
  t.equal(skeleton(long('not json ')), undefined);
});

t.test('messages committed once are not written again, until the memory is cleared', async (t) => {
  const KEYS = { session: ['session.id'], history: new Set(['gen_ai.input.messages']) };
  const history = JSON.stringify([{ role: 'system', content: long('s') }, { role: 'user', content: long('u') }]);
  const spans = [{ attributes: { values: { 'gen_ai.input.messages': history }, types: {} } }];
  const committed = new CommittedMessages();
  const first = splitHistories('p', spans, KEYS, committed);
  t.equal(first.rows?.block.rows, 2, 'both messages written');
  t.equal(splitHistories('p', spans, KEYS, committed).rows?.block.rows, 2, 'not yet committed: written again');
  first.rows!.onCommit!();
  const second = splitHistories('p', spans, KEYS, committed);
  t.equal(second.rows, undefined, 'committed: only the skeleton is written');
  t.equal(second.skeletons[0]?.['gen_ai.input.messages'], first.skeletons[0]?.['gen_ai.input.messages']);
  t.equal(splitHistories('other', spans, KEYS, committed).rows?.block.rows, 2, 'per project');
  committed.clear();
  t.equal(splitHistories('p', spans, KEYS, committed).rows?.block.rows, 2, 'after a failed INSERT everything is written again');
  t.equal(splitHistories('p', spans, KEYS).rows?.block.rows, 2, 'without a memory every message is written');
});

t.test('a conversation is stored once per message and read back as sent', async (t) => {
  const svc = await startTestService();
  t.teardown(() => svc.stop());
  const traceId = '5b8efff798038103d269b633813fc60c';
  const history: unknown[] = [{ role: 'system', parts: [{ type: 'text', content: long('You are careful. ', 40) }] }];
  const doc = { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'agent' } }] }, scopeSpans: [{ scope: { name: 'a' }, spans: [] as unknown[] }] }] };
  for (let turn = 0; turn < 6; turn++) {
    history.push({ role: 'user', parts: [{ type: 'text', content: `question ${turn} ` + long('q', 200) }] });
    doc.resourceSpans[0].scopeSpans[0].spans.push({
      traceId,
      spanId: `00000000000000${String(turn + 1).padStart(2, '0')}`,
      name: 'chat model',
      kind: 3,
      startTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(turn) * 1_000_000_000n),
      endTimeUnixNano: String(1_700_000_000_500_000_000n + BigInt(turn) * 1_000_000_000n),
      attributes: [
        { key: 'session.id', value: { stringValue: 'conv-1' } },
        { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
        { key: 'gen_ai.request.model', value: { stringValue: 'model' } },
        { key: 'gen_ai.input.messages', value: { stringValue: JSON.stringify(history) } },
        { key: 'other', value: { stringValue: JSON.stringify(history) } },
      ],
    });
    history.push({ role: 'assistant', parts: [{ type: 'text', content: `answer ${turn} ` + long('a', 200) }] });
  }
  const sent = decodeTracesJson(doc).items;
  const res = await fetch(`${svc.httpUrl}/v1/traces`, { method: 'POST', body: new Uint8Array(encodeTraces(sent)), headers: { 'content-type': 'application/x-protobuf' } });
  t.equal(res.status, 200);

  const rows = await svc.rows<RawSpanRow>(`SELECT ${RAW_SPAN_SELECT} FROM spans FINAL WHERE trace_id = {t:String} ORDER BY span_id`, { t: traceId });
  t.equal(rows.length, 6);
  t.equal(rows[5].attribute_types['gen_ai.input.messages'], MESSAGE_REF, 'the history is stored as a skeleton');
  t.ok(rows[5].attributes['gen_ai.input.messages'].length < 500, 'which is small');
  t.equal(rows[5].attributes.other, sent[5].attributes.values.other, 'other attributes are stored as sent');
  const [m] = await svc.rows<{ n: string; distinct: string }>("SELECT count() AS n, uniqExact(hash) AS distinct FROM messages FINAL WHERE project_id = 'default'");
  t.equal(Number(m.distinct), 1 + 6 + 5, 'system prompt, 6 questions, 5 answers: each once');
  t.equal(Number(m.n), Number(m.distinct));

  const copy = structuredClone(rows);
  t.equal(await restoreMessages(svc.store, 'other', copy), 6, 'messages of another project are not found: each skeleton counted missing');
  t.equal(copy[5].attribute_types['gen_ai.input.messages'], MESSAGE_REF, 'and left typed as a skeleton');
  t.equal(await restoreMessages(svc.store, 'default', rows), 0);
  for (let i = 0; i < 6; i++) {
    t.equal(rows[i].attributes['gen_ai.input.messages'], sent[i].attributes.values['gen_ai.input.messages'], `turn ${i} restored exactly`);
    t.equal(rows[i].attribute_types['gen_ai.input.messages'], undefined, 'and typed as the string it was');
  }

  // Normalization reads the spans with their histories restored (the operation's input messages come from them).
  await svc.normalizer.flush();
  const [op] = await svc.rows<{ input_messages: string }>("SELECT input_messages FROM operations FINAL WHERE trace_id = {t:String} AND span_id = '0000000000000006'", { t: traceId });
  t.equal(op ? (JSON.parse(op.input_messages) as unknown[]).length : -1, 12, 'normalization saw the whole history');

  const res2 = await fetch(`${svc.httpUrl}/api/v1/traces/${traceId}?raw=1`);
  t.equal(res2.status, 200);
  const raw = (await res2.json()) as { raw: { resourceSpans: unknown[] } };
  const back = decodeTracesJson(raw.raw).items.sort((a, b) => a.spanId.localeCompare(b.spanId));
  t.equal(back[5].attributes.values['gen_ai.input.messages'], sent[5].attributes.values['gen_ai.input.messages'], 'the raw API view is restored');
});

t.test('settling waits for history messages it cannot read yet, and uses them once they are there', async (t) => {
  const svc = await startTestService({ settleMs: 3_600_000 });
  t.teardown(() => svc.stop());
  const traceId = '7b8efff798038103d269b633813fc60c';
  const history = [
    { role: 'system', parts: [{ type: 'text', content: long('Be brief. ', 40) }] },
    { role: 'user', parts: [{ type: 'text', content: long('Why? ', 60) }] },
  ];
  const doc = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'agent' } }] },
        scopeSpans: [
          {
            scope: { name: 'a' },
            spans: [
              {
                traceId,
                spanId: '0000000000000001',
                name: 'chat model',
                kind: 3,
                startTimeUnixNano: '1700000000000000000',
                endTimeUnixNano: '1700000000500000000',
                attributes: [
                  { key: 'session.id', value: { stringValue: 'conv-lag' } },
                  { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
                  { key: 'gen_ai.request.model', value: { stringValue: 'model' } },
                  { key: 'gen_ai.input.messages', value: { stringValue: JSON.stringify(history) } },
                ],
              },
            ],
          },
        ],
      },
    ],
  };
  const res = await fetch(`${svc.httpUrl}/v1/traces`, { method: 'POST', body: JSON.stringify(doc), headers: { 'content-type': 'application/json' } });
  t.equal(res.status, 200);
  // A replica behind: the span is readable, its messages are not (yet).
  await svc.store.command('CREATE TABLE held AS messages');
  await svc.store.command('INSERT INTO held SELECT * FROM messages');
  await svc.store.command('TRUNCATE TABLE messages');
  await t.rejects(svc.normalizer.flush(), /history messages the store does not have yet/, 'the rebuild is retried, not stored without the history');
  t.equal((await svc.rows("SELECT 1 FROM operations FINAL WHERE trace_id = {t:String}", { t: traceId })).length, 0, 'nothing stored meanwhile');
  await svc.store.command('INSERT INTO messages SELECT * FROM held');
  await svc.normalizer.flush();
  const [op] = await svc.rows<{ input_messages: string }>('SELECT input_messages FROM operations FINAL WHERE trace_id = {t:String}', { t: traceId });
  t.equal(op ? (JSON.parse(op.input_messages) as unknown[]).length : -1, 2, 'the rebuild saw the whole history once it was readable');
});
