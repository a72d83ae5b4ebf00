// docs/corpora.md stays true to the code: every format of the registry and every ExportRequest field is described.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ExportRequest, FORMAT_NAMES } from '../../src/exporters/index.js';
import { ExportQuery } from '../../src/api/query/export.js';

const doc = readFileSync(join(import.meta.dirname, '../../docs/corpora.md'), 'utf8');

t.test('every format and every filter is in docs/corpora.md', async (t) => {
  for (const f of FORMAT_NAMES) t.match(doc, `\`${f}\``, f);
  for (const k of Object.keys(ExportRequest.shape)) t.match(doc, `\`${k}\``, k);
  for (const k of Object.keys(ExportQuery.shape)) t.match(doc, k, k);
});
