/**
 * TFRecord framing, the container TensorBoard event files use. Each record is
 *   uint64 length | uint32 masked_crc32c(length) | data[length] | uint32 masked_crc32c(data)
 * with little-endian integers (tensorflow/core/lib/io/record_writer.h and
 * tensorflow/tsl/lib/hash/crc32c.h for the mask).
 */
import { crc32c } from '@node-rs/crc32';

const LENGTH_BYTES = 8;
const CRC_BYTES = 4;
export const RECORD_HEADER_BYTES = LENGTH_BYTES + CRC_BYTES;
export const RECORD_FOOTER_BYTES = CRC_BYTES;
const CRC_ROTATE_BITS = 15;
/** Added after rotating so that a CRC of data that itself holds CRCs stays well mixed (crc32c.h). */
const CRC_MASK_DELTA = 0xa282ead8;

/** TensorFlow's masked CRC32C: rotate right by 15 bits, then add a constant, mod 2^32. */
export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = crc32c(bytes);
  return (((crc >>> CRC_ROTATE_BITS) | (crc << (32 - CRC_ROTATE_BITS))) + CRC_MASK_DELTA) >>> 0;
}

/** Frames one record's data for appending to a TFRecord file. */
export function frameRecord(data: Uint8Array): Uint8Array {
  const framed = new Uint8Array(RECORD_HEADER_BYTES + data.length + RECORD_FOOTER_BYTES);
  const view = new DataView(framed.buffer);
  // uint64 as two uint32 halves: a record never reaches 4 GiB, and BigInt costs more than the write.
  view.setUint32(0, data.length, true);
  view.setUint32(LENGTH_BYTES / 2, 0, true);
  view.setUint32(LENGTH_BYTES, maskedCrc32c(framed.subarray(0, LENGTH_BYTES)), true);
  framed.set(data, RECORD_HEADER_BYTES);
  view.setUint32(RECORD_HEADER_BYTES + data.length, maskedCrc32c(data), true);
  return framed;
}

export interface RecordScan {
  /** Each record's data, a view into the scanned bytes. */
  records: Uint8Array[];
  /** Bytes from the start that hold whole records; the rest is a record cut short by a crash. */
  completeBytes: number;
}

/**
 * Splits TFRecord bytes into records, verifying both checksums of every record.
 * A checksum mismatch always throws (`source` names the file in the message). A record cut short
 * at the very end throws too unless `allowTornTail` is set, as when resuming after a crash.
 */
export function scanRecords(bytes: Uint8Array, source: string, allowTornTail = false): RecordScan {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: Uint8Array[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const remaining = bytes.length - pos;
    const torn = (what: string): RecordScan => {
      if (allowTornTail) return { records, completeBytes: pos };
      throw new Error(`${source}: record ${records.length} at byte ${pos} is cut short (${what}; ${remaining} bytes remain)`);
    };
    if (remaining < RECORD_HEADER_BYTES) return torn('incomplete header');
    const lengthCrc = maskedCrc32c(bytes.subarray(pos, pos + LENGTH_BYTES));
    if (lengthCrc !== view.getUint32(pos + LENGTH_BYTES, true)) {
      throw new Error(`${source}: record ${records.length} at byte ${pos} has a bad length checksum; the file is corrupt`);
    }
    const length = Number(view.getBigUint64(pos, true));
    if (remaining < RECORD_HEADER_BYTES + length + RECORD_FOOTER_BYTES) return torn(`declares ${length} data bytes`);
    const dataStart = pos + RECORD_HEADER_BYTES;
    const data = bytes.subarray(dataStart, dataStart + length);
    if (maskedCrc32c(data) !== view.getUint32(dataStart + length, true)) {
      throw new Error(`${source}: record ${records.length} at byte ${pos} has a bad data checksum; the file is corrupt`);
    }
    records.push(data);
    pos = dataStart + length + RECORD_FOOTER_BYTES;
  }
  return { records, completeBytes: pos };
}
