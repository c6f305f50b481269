import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RECORD_FOOTER_BYTES, RECORD_HEADER_BYTES, frameRecord, maskedCrc32c, scanRecords } from './tfrecord.js';

/** Inverse of TensorFlow's mask (crc32c.h Unmask): subtract the delta, rotate left 15. */
function unmask(masked: number): number {
  const rot = (masked - 0xa282ead8) >>> 0;
  return ((rot >>> 17) | (rot << 15)) >>> 0;
}

test('maskedCrc32c unmasks to the CRC-32C check value of "123456789"', () => {
  // 0xE3069283 is the standard CRC-32C (Castagnoli) check value.
  const masked = maskedCrc32c(Buffer.from('123456789'));
  assert.notEqual(masked, 0xe3069283);
  assert.equal(unmask(masked), 0xe3069283);
});

test('frameRecord lays out length, length crc, data, data crc', () => {
  const data = Buffer.from('hello tfrecord');
  const framed = frameRecord(data);
  const view = new DataView(framed.buffer);
  assert.equal(framed.length, RECORD_HEADER_BYTES + data.length + RECORD_FOOTER_BYTES);
  assert.equal(view.getBigUint64(0, true), BigInt(data.length));
  assert.equal(view.getUint32(8, true), maskedCrc32c(framed.subarray(0, 8)));
  assert.deepEqual(Buffer.from(framed.subarray(12, 12 + data.length)), data);
  assert.equal(view.getUint32(12 + data.length, true), maskedCrc32c(data));
});

test('scanRecords returns every record and rejects any flipped byte', () => {
  const datas = [Buffer.from('first'), Buffer.alloc(0), Buffer.from('third record')];
  const file = Buffer.concat(datas.map(frameRecord));
  const { records, completeBytes } = scanRecords(file, 'mem');
  assert.deepEqual(records.map((r) => Buffer.from(r).toString()), datas.map((d) => d.toString()));
  assert.equal(completeBytes, file.length);
  for (let i = 0; i < file.length; i++) {
    const corrupt = Buffer.from(file);
    corrupt[i] ^= 0x01;
    assert.throws(() => scanRecords(corrupt, 'mem'), /mem: record \d at byte \d+ has a bad (length|data) checksum/, `byte ${i}`);
  }
});

test('a record cut short throws, or is left out when resuming allows a torn tail', () => {
  const whole = frameRecord(Buffer.from('kept'));
  const file = Buffer.concat([whole, frameRecord(Buffer.from('torn record'))]);
  for (const cut of [whole.length + 3, file.length - 1]) {
    assert.throws(() => scanRecords(file.subarray(0, cut), 'f'), /f: record 1 at byte \d+ is cut short/);
    const scan = scanRecords(file.subarray(0, cut), 'f', true);
    assert.equal(scan.records.length, 1);
    assert.equal(scan.completeBytes, whole.length);
  }
});
