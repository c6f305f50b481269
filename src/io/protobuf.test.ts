import { test } from 'node:test';
import assert from 'node:assert/strict';
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

// Examples from https://protobuf.dev/programming-guides/encoding/ ("A Simple Message", "Length-Delimited Records").
test('varint field 1 = 150 encodes as 08 96 01', () => {
  assert.deepEqual([...new ProtoWriter().varint(1, 150).finish()], [0x08, 0x96, 0x01]);
});

test('string field 2 = "testing" encodes as 12 07 then the UTF-8 bytes', () => {
  const expected = [0x12, 0x07, ...Buffer.from('testing')];
  assert.deepEqual([...new ProtoWriter().string(2, 'testing').finish()], expected);
});

test('double and float fields are little-endian IEEE 754 after a fixed64/fixed32 key', () => {
  const bytes = new ProtoWriter().double(1, 1.5).float(2, -2).finish();
  // 1.5 = 0x3FF8000000000000, -2 = 0xC0000000.
  assert.deepEqual([...bytes], [0x09, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f, 0x15, 0, 0, 0, 0xc0]);
});

test('embedded message is length-delimited: key, length, inner bytes', () => {
  const inner = new ProtoWriter().varint(1, 150).finish();
  const bytes = new ProtoWriter().embedded(3, inner.length).varint(1, 150).finish();
  assert.deepEqual([...bytes], [0x1a, 0x03, ...inner]);
  assert.equal(lengthDelimitedSize(3, inner.length), bytes.length);
});

test('varintSize matches the bytes written, across 7-bit boundaries', () => {
  for (const value of [0, 127, 128, 16383, 16384, 2 ** 32, 2 ** 53 - 1]) {
    const written = new ProtoWriter().varint(1, value).finish().length - keySize(1);
    assert.equal(varintSize(value), written, `value ${value}`);
  }
});

test('a writer sized exactly never reallocates: finish() views the buffer it was given', () => {
  const writer = new ProtoWriter(keySize(1) + FIXED64_BYTES + keySize(2) + FIXED32_BYTES);
  const bytes = writer.double(1, 2).float(2, 3).finish();
  assert.equal(bytes.length, bytes.buffer.byteLength);
});

test('readFields decodes what ProtoWriter wrote, including varints above 2^32', () => {
  const big = 2 ** 40 + 12345;
  const bytes = new ProtoWriter().varint(2, big).double(1, Math.PI).float(7, 0.1).string(15, 'héllo').varint(16, 0).finish();
  const fields = [...readFields(bytes)];
  assert.deepEqual(
    fields.map((f) => [f.fieldNumber, f.wireType]),
    [[2, WireType.varint], [1, WireType.fixed64], [7, WireType.fixed32], [15, WireType.lengthDelimited], [16, WireType.varint]],
  );
  assert.equal(fields[0].value, big);
  assert.equal(fields[1].value, Math.PI);
  assert.equal(fields[2].value, Math.fround(0.1));
  assert.equal(decodeString(fields[3].value as Uint8Array), 'héllo');
  assert.equal(fields[4].value, 0);
});

test('writer grows past its initial capacity', () => {
  const text = 'x'.repeat(1000);
  const [field] = [...readFields(new ProtoWriter().string(1, text).finish())];
  assert.equal(decodeString(field.value as Uint8Array), text);
});

test('negative or fractional varints are refused', () => {
  assert.throws(() => new ProtoWriter().varint(2, -1), /non-negative safe integer, got -1/);
  assert.throws(() => new ProtoWriter().varint(2, 1.5), /got 1.5/);
});

test('truncated messages throw instead of reading past the end', () => {
  const bytes = new ProtoWriter().string(1, 'abcdef').double(2, 1).finish();
  assert.throws(() => [...readFields(bytes.subarray(0, 4))], /needs 6 bytes, only 2 remain/);
  assert.throws(() => [...readFields(bytes.subarray(0, bytes.length - 1))], /fixed64 field 2/);
  assert.throws(() => [...readFields(Uint8Array.of(0x08, 0x96))], /varint runs past the end/);
  assert.throws(() => [...readFields(Uint8Array.of(0x0b))], /unsupported wire type 3/);
});
