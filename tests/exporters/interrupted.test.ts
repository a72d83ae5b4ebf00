// An export that fails midway leaves nothing that looks complete: no data file under its final name, no manifest,
// no temporary file behind.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parseExportRequest, writeLines } from '../../src/exporters/index.js';
import { emptyCounts } from '../../src/exporters/request.js';

t.test('a stream that breaks after some lines', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tracemill-interrupted-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const { req, format } = parseExportRequest({ format: 'openai-chat', gzip: true });
  async function* lines() {
    for (let i = 0; i < 1000; i++) yield { line: JSON.stringify({ messages: [{ role: 'user', content: `q${i}` }] }), metadata: '{}', split: 'train' as const };
    throw new Error('connection reset');
  }
  await t.rejects(writeLines(req, format, dir, lines(), emptyCounts), /connection reset/);
  t.same(readdirSync(dir), [], 'nothing left in the directory');
});
