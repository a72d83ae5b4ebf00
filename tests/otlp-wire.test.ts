// The decoder's 64-bit fields and the timestamp range check (a text comparison in the common case).
import t from 'tap';
import { checkNanos } from '../src/receivers/otlp/common.js';
import { Reader } from '../src/receivers/otlp/wire.js';

t.test('fixed64 reads little-endian, exact above 2^53', async (t) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(1_732_000_000_123_456_789n);
  t.equal(new Reader(b).fixed64(), '1732000000123456789');
  b.writeBigUInt64LE(2n ** 53n + 1n);
  t.equal(new Reader(b).fixed64(), '9007199254740993');
  b.writeBigUInt64LE(2n ** 64n - 1n);
  t.equal(new Reader(b).fixed64(), '18446744073709551615');
});

t.test('checkNanos: the year-2262 limit at the boundary', async (t) => {
  t.equal(checkNanos('1732000000123456789', 'time'), '');
  t.equal(checkNanos('9223372036854775807', 'time'), '', 'the largest signed 64-bit value is accepted');
  t.match(checkNanos('9223372036854775808', 'time'), /beyond the year 2262/);
  t.match(checkNanos('18446744073709551615', 'time'), /beyond the year 2262/);
  t.match(checkNanos('-1', 'time'), /negative/);
  t.equal(checkNanos('0', 'time'), '');
  t.equal(checkNanos('999999999999999999', 'time'), '', '18 digits');
});
