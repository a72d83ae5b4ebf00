// The dialect registry: a dialect is one file in src/normalize/dialects/, one line in the registry and one test
// file here; what it declares of its attributes (session keys, history keys, spawn tools) reaches the stages
// that read the joined lists.
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { HISTORY_KEYS, LOG_DIALECTS, SESSION_KEYS, SPAN_DIALECTS, SPAWN_TOOLS } from '../../src/normalize/dialects/index.js';
import type { LogDialect, SpanDialect } from '../../src/normalize/dialects/types.js';
import { sessionIdOf } from '../../src/store/rows/session.js';
import { attributesFromJson } from '../../src/model/values.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const dialectsDir = join(here, '../../src/normalize/dialects');
const NOT_DIALECTS = new Set(['index.ts', 'types.ts']);

function isDialect(v: unknown): v is SpanDialect | LogDialect {
  return typeof v === 'object' && v !== null && typeof (v as SpanDialect).matches === 'function' && typeof (v as SpanDialect).normalize === 'function';
}

t.test('every dialect file is in the registry and has its test', async (t) => {
  const registered = new Set<unknown>([...SPAN_DIALECTS, ...LOG_DIALECTS]);
  const files = readdirSync(dialectsDir).filter((f) => f.endsWith('.ts') && !NOT_DIALECTS.has(f));
  t.ok(files.length >= 10, `${files.length} dialect files`);
  for (const file of files) {
    const mod = (await import(join(dialectsDir, file))) as Record<string, unknown>;
    const dialects = Object.entries(mod).filter(([, v]) => isDialect(v));
    t.ok(dialects.length > 0, `${file} exports a dialect`);
    for (const [name, d] of dialects) t.ok(registered.has(d), `${file}: ${name} is in the registry`);
    const test = `dialect-${basename(file, '.ts')}.test.ts`;
    t.ok(readdirSync(here).includes(test), `${file} has tests/normalize/${test}`);
  }
});

t.test('what each dialect declares is in the joined lists', async (t) => {
  for (const d of [...SPAN_DIALECTS, ...LOG_DIALECTS]) {
    for (const k of d.sessionKeys ?? []) t.ok(SESSION_KEYS.includes(k), `${d.name} session key ${k}`);
    for (const k of d.historyKeys ?? []) t.ok(HISTORY_KEYS.has(k), `${d.name} history key ${k}`);
    for (const k of d.spawnTools ?? []) t.ok(SPAWN_TOOLS.has(k), `${d.name} spawn tool ${k}`);
  }
  t.equal(new Set(SESSION_KEYS).size, SESSION_KEYS.length, 'no session key twice');
});

t.test("a specific dialect's session key wins over semconv's", async (t) => {
  // Claude Code spans carry session.id and may carry gen_ai.conversation.id too; the conversation is the session.
  const attrs = attributesFromJson([
    { key: 'gen_ai.conversation.id', value: { stringValue: 'conv' } },
    { key: 'session.id', value: { stringValue: 'sess' } },
  ]);
  t.equal(sessionIdOf(attrs, SESSION_KEYS), 'sess');
  t.equal(sessionIdOf(attributesFromJson([{ key: 'gen_ai.conversation.id', value: { stringValue: 'conv' } }]), SESSION_KEYS), 'conv');
  t.equal(sessionIdOf(attributesFromJson([]), SESSION_KEYS), '');
});
