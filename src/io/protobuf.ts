/**
 * A minimal protocol-buffers wire-format encoder and decoder: just the field kinds that
 * TensorBoard's event.proto and summary.proto need. Wire format reference:
 * https://protobuf.dev/programming-guides/encoding/
 */

/** Wire types from the encoding guide ("Message Structure"). */
export const WireType = {
  varint: 0,
  fixed64: 1,
  lengthDelimited: 2,
  fixed32: 5,
} as const;
export type WireType = (typeof WireType)[keyof typeof WireType];

const VARINT_PAYLOAD_BITS = 7;
const VARINT_PAYLOAD_MASK = 0x7f;
const VARINT_CONTINUE_BIT = 0x80;
const VARINT_BASE = 1 << VARINT_PAYLOAD_BITS;
/** A varint holds a 64-bit value in at most ceil(64 / 7) bytes. */
const VARINT_MAX_BYTES = 10;
export const FIXED64_BYTES = 8;
export const FIXED32_BYTES = 4;
const INITIAL_CAPACITY_BYTES = 64;
/** A field's key is (fieldNumber << 3) | wireType; arithmetic rather than shifts keeps it exact past 2^31. */
const KEY_FIELD_SCALE = 8;

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** Bytes a varint of `value` takes. */
export function varintSize(value: number): number {
  let size = 1;
  while (value >= VARINT_BASE) {
    value = Math.floor(value / VARINT_BASE);
    size++;
  }
  return size;
}

/** Bytes a field key takes; field numbers below 16 take one. */
export function keySize(fieldNumber: number): number {
  return varintSize(fieldNumber * KEY_FIELD_SCALE);
}

/** Bytes a length-delimited field (bytes, string, embedded message) with `byteLength` of payload takes. */
export function lengthDelimitedSize(fieldNumber: number, byteLength: number): number {
  return keySize(fieldNumber) + varintSize(byteLength) + byteLength;
}

/** Appends protobuf fields to a growing byte buffer. */
export class ProtoWriter {
  private bytes: Uint8Array;
  private view: DataView;
  private length = 0;

  /** `capacityBytes`: the expected size, when known, so that the buffer never grows. */
  constructor(capacityBytes = INITIAL_CAPACITY_BYTES) {
    this.bytes = new Uint8Array(capacityBytes);
    this.view = new DataView(this.bytes.buffer);
  }

  private tag(fieldNumber: number, wireType: WireType): this {
    return this.rawVarint(fieldNumber * KEY_FIELD_SCALE + wireType);
  }

  /** An unsigned varint (int64/uint64 fields holding a non-negative safe integer). */
  varint(fieldNumber: number, value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`varint field ${fieldNumber}: expected a non-negative safe integer, got ${value}`);
    }
    return this.tag(fieldNumber, WireType.varint).rawVarint(value);
  }

  /** A `double` field: IEEE 754 binary64, little-endian. */
  double(fieldNumber: number, value: number): this {
    this.tag(fieldNumber, WireType.fixed64).reserve(FIXED64_BYTES);
    this.view.setFloat64(this.length, value, true);
    this.length += FIXED64_BYTES;
    return this;
  }

  /** A `float` field: IEEE 754 binary32, little-endian (the value is rounded to float32). */
  float(fieldNumber: number, value: number): this {
    this.tag(fieldNumber, WireType.fixed32).reserve(FIXED32_BYTES);
    this.view.setFloat32(this.length, value, true);
    this.length += FIXED32_BYTES;
    return this;
  }

  /** A `bytes` field or an embedded message already encoded. */
  bytesField(fieldNumber: number, value: Uint8Array): this {
    this.tag(fieldNumber, WireType.lengthDelimited).rawVarint(value.length).reserve(value.length);
    this.bytes.set(value, this.length);
    this.length += value.length;
    return this;
  }

  /** A `string` field, UTF-8 encoded. */
  string(fieldNumber: number, value: string): this {
    return this.bytesField(fieldNumber, utf8.encode(value));
  }

  /**
   * Starts an embedded message of `byteLength` bytes: writes its key and length, and the caller
   * then writes its fields. Sizing up front (see `varintSize`) saves encoding it separately and copying.
   */
  embedded(fieldNumber: number, byteLength: number): this {
    return this.tag(fieldNumber, WireType.lengthDelimited).rawVarint(byteLength);
  }

  /** The bytes written so far. The writer must not be used afterwards: they share memory. */
  finish(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }

  private rawVarint(value: number): this {
    this.reserve(varintSize(value));
    // Division rather than bit shifts: JS shifts truncate to 32 bits, steps can exceed 2^32.
    while (value >= VARINT_BASE) {
      this.bytes[this.length++] = (value % VARINT_BASE) | VARINT_CONTINUE_BIT;
      value = Math.floor(value / VARINT_BASE);
    }
    this.bytes[this.length++] = value;
    return this;
  }

  private reserve(extraBytes: number): void {
    const needed = this.length + extraBytes;
    if (needed <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(needed, this.bytes.length * 2));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }
}

/** One decoded field. `value` is a number for scalar wire types and a byte view for length-delimited ones. */
export type ProtoField =
  | { fieldNumber: number; wireType: typeof WireType.varint | typeof WireType.fixed64 | typeof WireType.fixed32; value: number }
  | { fieldNumber: number; wireType: typeof WireType.lengthDelimited; value: Uint8Array };

/**
 * Iterates the fields of one encoded message. Fixed64 fields decode as `double` and fixed32 as
 * `float` (the only fixed-width kinds event.proto uses); varints beyond 2^53 lose precision.
 * Throws on a truncated message or a wire type this decoder does not know (groups, 3 and 4).
 */
export function* readFields(bytes: Uint8Array): Generator<ProtoField> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  const readVarint = (): number => {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < VARINT_MAX_BYTES; i++) {
      if (pos >= bytes.length) throw new Error(`protobuf: varint runs past the end of a ${bytes.length}-byte message`);
      const byte = bytes[pos++];
      value += (byte & VARINT_PAYLOAD_MASK) * scale;
      if ((byte & VARINT_CONTINUE_BIT) === 0) return value;
      scale *= VARINT_BASE;
    }
    throw new Error(`protobuf: varint at byte ${pos - VARINT_MAX_BYTES} is longer than ${VARINT_MAX_BYTES} bytes`);
  };
  const need = (count: number, what: string): void => {
    if (pos + count > bytes.length) {
      throw new Error(`protobuf: ${what} at byte ${pos} needs ${count} bytes, only ${bytes.length - pos} remain`);
    }
  };
  while (pos < bytes.length) {
    const offset = pos;
    const key = readVarint();
    const fieldNumber = Math.floor(key / KEY_FIELD_SCALE);
    const wireType = key % KEY_FIELD_SCALE;
    switch (wireType) {
      case WireType.varint:
        yield { fieldNumber, wireType, value: readVarint() };
        break;
      case WireType.fixed64:
        need(FIXED64_BYTES, `fixed64 field ${fieldNumber}`);
        yield { fieldNumber, wireType, value: view.getFloat64(pos, true) };
        pos += FIXED64_BYTES;
        break;
      case WireType.fixed32:
        need(FIXED32_BYTES, `fixed32 field ${fieldNumber}`);
        yield { fieldNumber, wireType, value: view.getFloat32(pos, true) };
        pos += FIXED32_BYTES;
        break;
      case WireType.lengthDelimited: {
        const length = readVarint();
        need(length, `length-delimited field ${fieldNumber}`);
        yield { fieldNumber, wireType, value: bytes.subarray(pos, pos + length) };
        pos += length;
        break;
      }
      default:
        throw new Error(`protobuf: field ${fieldNumber} at byte ${offset} has unsupported wire type ${wireType}`);
    }
  }
}

/** Decodes a `string` field's bytes; throws on invalid UTF-8. */
export function decodeString(bytes: Uint8Array): string {
  return utf8Decoder.decode(bytes);
}
