// Load for the durability tests (kill -9, SIGTERM drain, overload): protobuf trace requests whose span ids
// are unique to (worker, seq, index), so a test can check every acknowledged span after a restart.
import { Writer } from '../../src/receivers/otlp/wire.js';

/** One request of `size` spans named `name`; with `pad`, each span carries that much attribute text. */
export function loadBatch(worker: number, seq: number, size: number, name: string, pad?: string): { body: Buffer; ids: string[] } {
  const ids: string[] = [];
  const traceId = Buffer.alloc(16);
  traceId.writeUInt32BE(worker + 1, 0);
  traceId.writeUInt32BE(seq + 1, 4);
  const body = new Writer()
    .messageField(1, (rs) =>
      rs.messageField(2, (ss) => {
        for (let i = 0; i < size; i++) {
          const spanId = Buffer.alloc(8);
          spanId.writeUInt16BE(worker + 1, 0);
          spanId.writeUInt32BE(seq, 2);
          spanId.writeUInt16BE(i + 1, 6);
          ids.push(spanId.toString('hex'));
          ss.messageField(2, (w) => {
            w.bytesField(1, traceId)
              .bytesField(2, spanId)
              .stringField(5, name)
              .fixed64Field(7, 1795582931000000000n + BigInt(seq))
              .fixed64Field(8, 1795582931000000001n + BigInt(seq));
            if (pad !== undefined) w.messageField(9, (kv) => kv.stringField(1, 'pad').messageField(2, (v) => v.stringField(1, `${pad}${worker}-${seq}-${i}`)));
          });
        }
      }),
    )
    .finish();
  return { body, ids };
}
