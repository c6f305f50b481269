/**
 * TensorBoard scalar logging: event files of `Event` protos (tensorboard/compat/proto/event.proto,
 * summary.proto) framed as TFRecords, readable by TensorBoard, PyTorch's SummaryWriter tooling
 * and `readEvents` below.
 */
import { mkdirSync, readdirSync, readFileSync, truncateSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { BufferedAppendFileArgs } from './buffered-append-file.js';
import {
  FIXED32_BYTES,
  FIXED64_BYTES,
  ProtoWriter,
  WireType,
  decodeString,
  keySize,
  lengthDelimitedSize,
  readFields,
  varintSize,
} from './protobuf.js';
import { ScalarFileWriter } from './scalar-file-writer.js';
import { frameRecord, scanRecords } from './tfrecord.js';

/** Field numbers of tensorboard.Event, Summary and Summary.Value. */
const EventField = { wallTime: 1, step: 2, fileVersion: 3, summary: 5 } as const;
const SummaryField = { value: 1 } as const;
const ValueField = { tag: 1, simpleValue: 2 } as const;

/** The first record of every event file; TensorBoard checks the "brain.Event:" prefix. */
export const EVENT_FILE_VERSION = 'brain.Event:2';
export const EVENT_FILE_PREFIX = 'events.out.tfevents.';
const MS_PER_S = 1000;
/** Seconds in the file name are zero-padded so that names sort by creation time, as TensorFlow's are. */
const FILE_TIME_DIGITS = 10;
const utf8 = new TextEncoder();

export interface ScalarEvent {
  tag: string;
  /** The `simple_value`: a float32, so `Math.fround` of what was written. */
  value: number;
  step: number;
  wallTimeS: number;
}

export interface DecodedEvent {
  wallTimeS: number;
  step: number;
  fileVersion?: string;
  /** Scalars of the event's summary; other summary kinds (images, histograms, tensors) are skipped. */
  scalars: { tag: string; value: number }[];
}

/** UTF-8 bytes of the tags seen so far: a run logs a handful of tags many times. */
const tagBytesCache = new Map<string, Uint8Array>();

export function encodeScalarEvent(tag: string, value: number, step: number, wallTimeS: number): Uint8Array {
  let tagBytes = tagBytesCache.get(tag);
  if (tagBytes === undefined) {
    tagBytes = utf8.encode(tag);
    tagBytesCache.set(tag, tagBytes);
  }
  const valueBytes = lengthDelimitedSize(ValueField.tag, tagBytes.length) + keySize(ValueField.simpleValue) + FIXED32_BYTES;
  const summaryBytes = lengthDelimitedSize(SummaryField.value, valueBytes);
  const eventBytes =
    keySize(EventField.wallTime) + FIXED64_BYTES + keySize(EventField.step) + varintSize(step) + lengthDelimitedSize(EventField.summary, summaryBytes);
  return new ProtoWriter(eventBytes)
    .double(EventField.wallTime, wallTimeS)
    .varint(EventField.step, step)
    .embedded(EventField.summary, summaryBytes)
    .embedded(SummaryField.value, valueBytes)
    .bytesField(ValueField.tag, tagBytes)
    .float(ValueField.simpleValue, value)
    .finish();
}

export function encodeFileVersionEvent(wallTimeS: number): Uint8Array {
  return new ProtoWriter().double(EventField.wallTime, wallTimeS).string(EventField.fileVersion, EVENT_FILE_VERSION).finish();
}

export function decodeEvent(bytes: Uint8Array): DecodedEvent {
  const event: DecodedEvent = { wallTimeS: 0, step: 0, scalars: [] };
  for (const field of readFields(bytes)) {
    if (field.fieldNumber === EventField.wallTime && field.wireType === WireType.fixed64) event.wallTimeS = field.value;
    else if (field.fieldNumber === EventField.step && field.wireType === WireType.varint) event.step = field.value;
    else if (field.fieldNumber === EventField.fileVersion && field.wireType === WireType.lengthDelimited) {
      event.fileVersion = decodeString(field.value);
    } else if (field.fieldNumber === EventField.summary && field.wireType === WireType.lengthDelimited) {
      for (const summaryField of readFields(field.value)) {
        if (summaryField.fieldNumber !== SummaryField.value || summaryField.wireType !== WireType.lengthDelimited) continue;
        const scalar = decodeSimpleValue(summaryField.value);
        if (scalar) event.scalars.push(scalar);
      }
    }
  }
  return event;
}

function decodeSimpleValue(bytes: Uint8Array): { tag: string; value: number } | null {
  let tag: string | null = null;
  let value: number | null = null;
  for (const field of readFields(bytes)) {
    if (field.fieldNumber === ValueField.tag && field.wireType === WireType.lengthDelimited) tag = decodeString(field.value);
    else if (field.fieldNumber === ValueField.simpleValue && field.wireType === WireType.fixed32) value = field.value;
  }
  return tag !== null && value !== null ? { tag, value } : null;
}

/**
 * Reads an event file, verifying every record's checksums (throws naming the record on a bad one),
 * and returns its scalars in file order.
 */
export function readEvents(path: string): ScalarEvent[] {
  const { records } = scanRecords(readFileSync(path), path);
  const scalars: ScalarEvent[] = [];
  for (const record of records) {
    const event = decodeEvent(record);
    for (const { tag, value } of event.scalars) scalars.push({ tag, value, step: event.step, wallTimeS: event.wallTimeS });
  }
  return scalars;
}

/** Event files in `runDir`, oldest first. */
export function listEventFiles(runDir: string): string[] {
  return readdirSync(runDir)
    .filter((name) => name.startsWith(EVENT_FILE_PREFIX))
    .sort()
    .map((name) => join(runDir, name));
}

/**
 * Writes scalars to `runDir/events.out.tfevents.<seconds>.<host>`. A run folder holds one run:
 * if it already has an event file, the writer continues the newest one (resume), first cutting off
 * a record left half-written by a crash. Records are buffered and flushed every
 * `flushBytes` or `flushIntervalMs` (see BufferedAppendFile) and on `flush()`/`close()`.
 *
 * When a resumed run logs a step lower than steps already in the file, TensorBoard discards the
 * later points as orphaned (EventAccumulator's purge_orphaned_data), which is what resuming from
 * an older checkpoint should show.
 */
export class TensorBoardWriter extends ScalarFileWriter {
  constructor(runDir: string, args: BufferedAppendFileArgs = {}) {
    mkdirSync(runDir, { recursive: true });
    const nowS = (args.nowMs ?? Date.now)() / MS_PER_S;
    const existing = listEventFiles(runDir).at(-1);
    const path = existing ?? join(runDir, `${EVENT_FILE_PREFIX}${String(Math.floor(nowS)).padStart(FILE_TIME_DIGITS, '0')}.${hostname()}`);
    const hasRecords = existing !== undefined && dropTornTail(existing);
    super(path, hasRecords ? null : frameRecord(encodeFileVersionEvent(nowS)), args);
  }

  /** `value` is stored as float32. */
  protected encode(tag: string, value: number, step: number, wallTimeS: number): Uint8Array {
    return frameRecord(encodeScalarEvent(tag, value, step, wallTimeS));
  }
}

/** Truncates `path` after its last whole record; returns whether any record remains. */
function dropTornTail(path: string): boolean {
  const bytes = readFileSync(path);
  const { records, completeBytes } = scanRecords(bytes, path, true);
  if (completeBytes < bytes.length) truncateSync(path, completeBytes);
  return records.length > 0;
}

