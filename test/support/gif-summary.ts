/** Test helper: the structure of a GIF89a file (https://www.w3.org/Graphics/GIF/spec-gif89a.txt). */
export interface GifSummary {
  version: string;
  widthPx: number;
  heightPx: number;
  /** Delay before each frame in hundredths of a second, from its graphic control extension. */
  frameDelaysCs: number[];
  /** Size of each frame, from its image descriptor. */
  frameSizesPx: { widthPx: number; heightPx: number }[];
  /** Whether a NETSCAPE2.0 application extension makes it loop. */
  loops: boolean;
}

const HEADER_BYTES = 13;
const IMAGE_DESCRIPTOR_BYTES = 10;
const EXTENSION_INTRODUCER = 0x21;
const IMAGE_SEPARATOR = 0x2c;
const TRAILER = 0x3b;
const GRAPHIC_CONTROL_LABEL = 0xf9;
const APPLICATION_LABEL = 0xff;

/** Bytes of the colour table a packed-fields byte announces (none when its top bit is clear). */
function colourTableBytes(packed: number): number {
  return packed & 0x80 ? 3 * 2 ** ((packed & 0x07) + 1) : 0;
}

export function summariseGif(bytes: Uint8Array): GifSummary {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const afterSubBlocks = (start: number): number => {
    let pos = start;
    while (data[pos] !== 0) pos += data[pos] + 1;
    return pos + 1;
  };
  const summary: GifSummary = {
    version: data.toString('ascii', 0, 6),
    widthPx: data.readUInt16LE(6),
    heightPx: data.readUInt16LE(8),
    frameDelaysCs: [],
    frameSizesPx: [],
    loops: false,
  };
  let pendingDelayCs = 0;
  let pos = HEADER_BYTES + colourTableBytes(data[10]);
  while (pos < data.length) {
    const block = data[pos];
    if (block === TRAILER) return summary;
    if (block === EXTENSION_INTRODUCER) {
      const label = data[pos + 1];
      if (label === GRAPHIC_CONTROL_LABEL) pendingDelayCs = data.readUInt16LE(pos + 4);
      if (label === APPLICATION_LABEL && data.toString('ascii', pos + 3, pos + 14) === 'NETSCAPE2.0') summary.loops = true;
      pos = afterSubBlocks(pos + 2);
    } else if (block === IMAGE_SEPARATOR) {
      summary.frameDelaysCs.push(pendingDelayCs);
      summary.frameSizesPx.push({ widthPx: data.readUInt16LE(pos + 5), heightPx: data.readUInt16LE(pos + 7) });
      pos += IMAGE_DESCRIPTOR_BYTES + colourTableBytes(data[pos + 9]);
      pos = afterSubBlocks(pos + 1); // skips the LZW minimum code size byte, then the image data
    } else {
      throw new Error(`summariseGif: unexpected block 0x${block.toString(16)} at byte ${pos}`);
    }
  }
  throw new Error('summariseGif: no trailer; the file is truncated');
}
