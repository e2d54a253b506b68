import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import crc32cModule from "crc-32/crc32c.js";
import protobuf from "protobufjs";

/**
 * TensorBoard event files written by supplygym: a TFRecord file of `Event` protocol-buffer messages, the first
 * carrying `file_version: "brain.Event:2"`, the rest one scalar `Summary` per update. TFRecord framing is
 * `uint64 length (LE) | uint32 masked_crc32c(length bytes) | data | uint32 masked_crc32c(data)`, with
 * `masked = ((crc >>> 15) | (crc << 17)) + 0xa282ead8` (tensorflow/core/lib/hash/crc32c.h). The messages are the
 * subset of TensorBoard's event.proto / summary.proto in ./proto/tensorboard.proto, encoded with protobufjs.
 * Every event is written with one unbuffered `writeSync`, so a reader sees whole records as they are produced.
 */

const crc32c = (crc32cModule as unknown as { buf(data: Uint8Array, seed?: number): number }).buf;

let types: { Event: protobuf.Type } | undefined;

/** The `tensorboard.Event` message type (loaded once from the .proto file beside this module). */
export function eventType(): protobuf.Type {
  if (!types) {
    const root = protobuf.loadSync(fileURLToPath(new URL("./proto/tensorboard.proto", import.meta.url)));
    types = { Event: root.lookupType("tensorboard.Event") };
  }
  return types.Event;
}

/** The masked CRC32C of TFRecord framing (unsigned 32-bit). */
export function maskedCrc32c(data: Uint8Array): number {
  const crc = crc32c(data) >>> 0;
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}

/** One TFRecord: header, data and footer. */
export function tfRecord(data: Uint8Array): Buffer {
  const out = Buffer.alloc(8 + 4 + data.length + 4);
  out.writeBigUInt64LE(BigInt(data.length), 0);
  out.writeUInt32LE(maskedCrc32c(out.subarray(0, 8)), 8);
  out.set(data, 12);
  out.writeUInt32LE(maskedCrc32c(data), 12 + data.length);
  return out;
}

/** Split a TFRecord file into its records, checking both CRCs of each (throws on a bad or truncated record). */
export function readTfRecords(buf: Uint8Array): Uint8Array[] {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < b.length) {
    if (at + 12 > b.length) throw new Error(`truncated record header at byte ${at}`);
    const len = Number(b.readBigUInt64LE(at));
    if (b.readUInt32LE(at + 8) !== maskedCrc32c(b.subarray(at, at + 8))) throw new Error(`bad length CRC at byte ${at}`);
    const data = b.subarray(at + 12, at + 12 + len);
    if (at + 16 + len > b.length) throw new Error(`truncated record at byte ${at}`);
    if (b.readUInt32LE(at + 12 + len) !== maskedCrc32c(data)) throw new Error(`bad data CRC at byte ${at}`);
    out.push(data);
    at += 16 + len;
  }
  return out;
}

/** Appends scalar summaries to `<dir>/events.out.tfevents.<seconds>.supplygym` (the file TensorBoard globs for). */
export class EventFileWriter {
  readonly path: string;
  private fd: number;

  constructor(dir: string, now: () => number = Date.now) {
    mkdirSync(dir, { recursive: true });
    this.now = now;
    this.path = join(dir, `events.out.tfevents.${Math.floor(now() / 1000)}.supplygym`);
    this.fd = openSync(this.path, "w");
    this.write({ wallTime: now() / 1000, step: 0, fileVersion: "brain.Event:2" });
  }

  private readonly now: () => number;

  /** One event holding a scalar per tag, at `step`. Non-finite values are written as they are (TensorBoard shows NaN). */
  scalars(step: number, values: readonly { tag: string; value: number }[]): void {
    if (values.length === 0) return;
    this.write({ wallTime: this.now() / 1000, step, summary: { value: values.map((v) => ({ tag: v.tag, simpleValue: v.value })) } });
  }

  private write(event: Record<string, unknown>): void {
    const E = eventType();
    writeSync(this.fd, tfRecord(E.encode(E.fromObject(event)).finish()));
  }

  close(): void {
    closeSync(this.fd);
  }
}
