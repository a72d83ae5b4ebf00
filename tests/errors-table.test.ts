// README's error table and the code's (src/model/errors.ts) are the same table: a new code in one and not
// the other fails here. Also the mapping itself: what each row sends, and that engine text never leaves.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ERRORS, ERROR_CODES, GrpcCode, TracemillError, answerFor } from '../src/model/errors.js';

const readme = readFileSync(join(import.meta.dirname, '../README.md'), 'utf8');

/** Rows of the README table whose header starts `| Code | HTTP | gRPC | Retryable |`. */
function readmeRows(): { code: string; http: number; grpc: string; retryable: boolean }[] {
  const lines = readme.split('\n');
  const start = lines.findIndex((l) => /^\|\s*Code\s*\|\s*HTTP\s*\|\s*gRPC\s*\|\s*Retryable\s*\|/.test(l));
  if (start < 0) return [];
  const rows = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const [code, http, grpc, retryable] = line.split('|').slice(1).map((c) => c.trim().replace(/`/g, ''));
    rows.push({ code, http: Number(http), grpc, retryable: retryable === 'yes' });
  }
  return rows;
}

t.test("README's error table is the code's", async (t) => {
  const rows = readmeRows();
  t.ok(rows.length > 0, 'README has the table');
  const fromCode = ERROR_CODES.map((code) => ({ code, http: ERRORS[code].http, grpc: ERRORS[code].grpc, retryable: ERRORS[code].retryable }));
  t.same(rows, fromCode, 'same codes, statuses, gRPC codes and retryability, in the same order');
});

t.test('each code answers as its row says', async (t) => {
  for (const code of ERROR_CODES) {
    const a = answerFor(new TracemillError(code, `detail of ${code}`), 7);
    const row = ERRORS[code];
    t.equal(a.http, row.http, `${code}: HTTP`);
    t.equal(a.grpc, GrpcCode[row.grpc], `${code}: gRPC`);
    t.equal(a.retryAfter, row.retryable ? 7 : undefined, `${code}: Retry-After only when retryable`);
    t.ok(!row.retryable || (a.http >= 429 && a.http !== 500), `${code}: a retryable answer is never a client error other than 429`);
    if ('detail' in row.message) t.match(a.message, `detail of ${code}`, `${code}: sends its detail`);
    else {
      t.notMatch(a.message, 'detail', `${code}: withholds its detail`);
      t.equal(a.withheld, `detail of ${code}`, `${code}: for the log`);
    }
  }
});

t.test('an error tracemill did not raise is the store failing: 503, retryable, its text withheld', async (t) => {
  const engine = new Error('Code: 62. DB::Exception: Syntax error: failed at position 1 (SELECT 1 FROM spans)');
  const a = answerFor(engine, 2);
  t.equal(a.code, 'store_unavailable');
  t.equal(a.http, 503);
  t.equal(a.retryAfter, 2);
  t.notMatch(a.message, /DB::Exception|SELECT|Code:/);
  t.equal(a.withheld, engine.message);
  // A framework's own client error keeps its status (and is not retryable).
  const fw = answerFor(Object.assign(new Error('Body cannot be empty'), { statusCode: 400 }), 2);
  t.same([fw.code, fw.http, fw.retryAfter], ['invalid', 400, undefined]);
});
