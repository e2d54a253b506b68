import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { LiveLog } from "./live-log.js";
import { EventFileWriter, maskedCrc32c, readTfRecords } from "./tensorboard.js";

// TensorBoard's own definitions (tensorflow/core/util/event.proto, framework/summary.proto), with more of their fields
// than supplygym writes, written out here independently of src/io/proto/tensorboard.proto.
const TB_PROTO = `
syntax = "proto3";
package tensorflow;
message LogMessage { int32 level = 1; string message = 2; }
message SessionLog { int32 status = 1; string checkpoint_path = 2; string msg = 3; }
message Event {
  double wall_time = 1;
  int64 step = 2;
  oneof what {
    string file_version = 3;
    bytes graph_def = 4;
    Summary summary = 5;
    LogMessage log_message = 6;
    SessionLog session_log = 7;
    bytes meta_graph_def = 9;
  }
}
message SummaryMetadata {
  message PluginData { string plugin_name = 1; bytes content = 2; }
  PluginData plugin_data = 1;
  string display_name = 2;
  string summary_description = 3;
  int32 data_class = 4;
}
message HistogramProto { double min = 1; double max = 2; double num = 3; double sum = 4; double sum_squares = 5; }
message Summary {
  message Image { int32 height = 1; int32 width = 2; int32 colorspace = 3; bytes encoded_image_string = 4; }
  message Value {
    string node_name = 7;
    string tag = 1;
    SummaryMetadata metadata = 9;
    oneof value {
      float simple_value = 2;
      bytes obsolete_old_style_histogram = 3;
      Image image = 4;
      HistogramProto histo = 5;
    }
  }
  repeated Value value = 1;
}`;
const TBEvent = protobuf.parse(TB_PROTO).root.lookupType("tensorflow.Event");

function decode(file: string) {
  return readTfRecords(readFileSync(file)).map(
    (r) =>
      TBEvent.toObject(TBEvent.decode(r), { longs: Number }) as {
        wallTime: number;
        step?: number;
        fileVersion?: string;
        summary?: { value: { tag: string; simpleValue: number }[] };
      },
  );
}

describe("TensorBoard event files", () => {
  it("masks CRC32C as TFRecord does (CRC32C of '123456789' is 0xe3069283)", () => {
    const crc = 0xe3069283;
    expect(maskedCrc32c(Buffer.from("123456789"))).toBe((((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0);
  });

  it("writes a version event then scalar summaries that TensorBoard's messages decode, with valid CRCs", () => {
    const dir = mkdtempSync(join(tmpdir(), "sg-tb-"));
    const w = new EventFileWriter(dir, () => 1_700_000_000_500);
    w.scalars(16, [
      { tag: "train/loss", value: 0.25 },
      { tag: "train/learning_rate", value: 3e-4 },
    ]);
    w.scalars(32, [{ tag: "train/loss", value: Number.NaN }]);
    w.close();
    expect(w.path).toBe(join(dir, "events.out.tfevents.1700000000.supplygym"));
    const events = decode(w.path);
    expect(events[0]).toMatchObject({ wallTime: 1_700_000_000.5, fileVersion: "brain.Event:2" });
    expect(events[1].step).toBe(16);
    expect(events[1].summary!.value.map((v) => v.tag)).toEqual(["train/loss", "train/learning_rate"]);
    expect(events[1].summary!.value[0].simpleValue).toBe(0.25);
    expect(events[1].summary!.value[1].simpleValue).toBeCloseTo(3e-4, 10);
    expect(events[2].step).toBe(32);
    expect(events[2].summary!.value[0].simpleValue).toBeNaN();
    // A flipped byte anywhere is caught by a CRC.
    const bytes = readFileSync(w.path);
    for (const at of [3, 10, 20, bytes.length - 6]) {
      const bad = Buffer.from(bytes);
      bad[at] ^= 1;
      expect(() => readTfRecords(bad), `byte ${at}`).toThrow(/CRC|truncated/);
    }
  });

  it("a LiveLog's lines and events are readable before it is closed", () => {
    const dir = mkdtempSync(join(tmpdir(), "sg-live-"));
    const log = new LiveLog(dir, "task-x-0");
    log.append([
      { step: 8, metric: "train/policy_loss", value: 1.5 },
      { step: 8, metric: "train/policy_loss", agent: "A", value: Number.NaN },
    ]);
    const lines = readFileSync(join(dir, "task-x-0.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { step: 8, metric: "train/policy_loss", value: 1.5 },
      { step: 8, metric: "train/policy_loss", agent: "A", value: null },
    ]);
    const [file] = readdirSync(join(dir, "task-x-0"));
    const events = decode(join(dir, "task-x-0", file));
    expect(events[1].summary!.value.map((v) => v.tag)).toEqual(["train/policy_loss", "train/policy_loss/A"]);
    log.close();
  });
});
