/**
 * A QR code (ISO/IEC 18004) for a short text, small enough for the phone's bundle: the whole
 * text in byte mode (UTF-8), error correction level M, the smallest of versions 1–10 that holds
 * it (up to 213 bytes: every link the app shows fits), and the mask with the lowest penalty.
 */

/** Error correction level M, per version 1–10: EC codewords per block, then each block's data codewords. */
const BLOCKS_M: ReadonlyArray<readonly [number, ...number[]]> = [
  [10, 16],
  [16, 28],
  [26, 44],
  [18, 32, 32],
  [24, 43, 43],
  [16, 27, 27, 27, 27],
  [18, 31, 31, 31, 31],
  [22, 38, 38, 39, 39],
  [22, 36, 36, 36, 37, 37],
  [26, 43, 43, 43, 43, 44],
];

/** Alignment pattern centre coordinates, per version 1–10. */
const ALIGNMENT: ReadonlyArray<readonly number[]> = [[], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50]];

// Arithmetic in GF(256) with the QR code's polynomial x^8 + x^4 + x^3 + x^2 + 1.
const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
for (let i = 0, x = 1; i < 255; i += 1) {
  EXP[i] = x;
  LOG[x] = i;
  x <<= 1;
  if (x & 0x100) x ^= 0x11d;
}
for (let i = 255; i < 512; i += 1) EXP[i] = EXP[i - 255]!;

function multiply(a: number, b: number): number {
  return a === 0 || b === 0 ? 0 : EXP[LOG[a]! + LOG[b]!]!;
}

/** The Reed–Solomon error correction codewords of one block. */
function correction(data: readonly number[], count: number): number[] {
  // The generator polynomial (x - α^0)(x - α^1)…(x - α^(count-1)), highest power first.
  let generator = [1];
  for (let i = 0; i < count; i += 1) {
    const next = [...generator, 0];
    generator.forEach((g, j) => (next[j + 1] = next[j + 1]! ^ multiply(g, EXP[i]!)));
    generator = next;
  }
  const rest = [...data, ...new Array<number>(count).fill(0)];
  for (let i = 0; i < data.length; i += 1) {
    const factor = rest[i]!;
    if (factor !== 0) generator.forEach((g, j) => (rest[i + j] = rest[i + j]! ^ multiply(g, factor)));
  }
  return rest.slice(data.length);
}

/** A remainder's bits appended to `value`, for the format (15 bits) and version (18 bits) codes. */
function bch(value: number, generator: number, bits: number): number {
  const degree = Math.floor(Math.log2(generator));
  let rest = value << degree;
  for (let shift = bits - 1; shift >= degree; shift -= 1) {
    if (rest & (1 << shift)) rest ^= generator << (shift - degree);
  }
  return (value << degree) | rest;
}

const MASKS: ReadonlyArray<(r: number, c: number) => boolean> = [
  (r, c) => (r + c) % 2 === 0,
  (r) => r % 2 === 0,
  (_r, c) => c % 3 === 0,
  (r, c) => (r + c) % 3 === 0,
  (r, c) => (Math.floor(r / 2) + Math.floor(c / 3)) % 2 === 0,
  (r, c) => ((r * c) % 2) + ((r * c) % 3) === 0,
  (r, c) => (((r * c) % 2) + ((r * c) % 3)) % 2 === 0,
  (r, c) => (((r + c) % 2) + ((r * c) % 3)) % 2 === 0,
];

/** The modules of a QR code: `size` × `size`, row by row, 1 for dark. */
export interface QrModules {
  size: number;
  version: number;
  mask: number;
  data: Uint8Array;
}

/** The codewords of `bytes` for `version`: data blocks and their correction, interleaved. */
function codewords(bytes: Uint8Array, version: number): number[] {
  const [ec, ...blocks] = BLOCKS_M[version - 1]!;
  const capacity = blocks.reduce((a, b) => a + b, 0);
  const bits: number[] = [];
  const put = (value: number, length: number): void => {
    for (let i = length - 1; i >= 0; i -= 1) bits.push((value >>> i) & 1);
  };
  put(0b0100, 4);
  put(bytes.length, version < 10 ? 8 : 16);
  bytes.forEach((b) => put(b, 8));
  put(0, Math.min(4, capacity * 8 - bits.length));
  while (bits.length % 8 !== 0) bits.push(0);
  const data: number[] = [];
  for (let i = 0; i < bits.length; i += 8) data.push(bits.slice(i, i + 8).reduce((v, b) => (v << 1) | b, 0));
  for (let pad = 0xec; data.length < capacity; pad ^= 0xec ^ 0x11) data.push(pad);

  let at = 0;
  const split = blocks.map((n) => data.slice(at, (at += n)));
  const fixes = split.map((block) => correction(block, ec));
  const out: number[] = [];
  for (let i = 0; i < Math.max(...blocks); i += 1) split.forEach((block) => i < block.length && out.push(block[i]!));
  for (let i = 0; i < ec; i += 1) fixes.forEach((fix) => out.push(fix[i]!));
  return out;
}

/** Lays out the function patterns, the data and the format information with `mask`. */
function layout(version: number, words: readonly number[], mask: number): Uint8Array {
  const size = version * 4 + 17;
  const data = new Uint8Array(size * size);
  const fixed = new Uint8Array(size * size);
  const set = (r: number, c: number, dark: boolean): void => {
    data[r * size + c] = dark ? 1 : 0;
    fixed[r * size + c] = 1;
  };

  // Finder patterns with their light separators.
  for (const [top, left] of [[0, 0], [0, size - 7], [size - 7, 0]] as const) {
    for (let r = -1; r <= 7; r += 1) {
      for (let c = -1; c <= 7; c += 1) {
        const row = top + r;
        const col = left + c;
        if (row < 0 || row >= size || col < 0 || col >= size) continue;
        const ring = Math.max(Math.abs(r - 3), Math.abs(c - 3));
        set(row, col, ring !== 2 && ring !== 4);
      }
    }
  }
  // Timing patterns.
  for (let i = 8; i < size - 8; i += 1) {
    set(6, i, i % 2 === 0);
    set(i, 6, i % 2 === 0);
  }
  // Alignment patterns, except the three corners where the finder patterns sit.
  const centres = ALIGNMENT[version - 1]!;
  const last = centres.length - 1;
  for (const [i, r] of centres.entries()) {
    for (const [j, c] of centres.entries()) {
      if ((i === 0 && (j === 0 || j === last)) || (i === last && j === 0)) continue;
      for (let dr = -2; dr <= 2; dr += 1) {
        for (let dc = -2; dc <= 2; dc += 1) set(r + dr, c + dc, Math.max(Math.abs(dr), Math.abs(dc)) !== 1);
      }
    }
  }
  // Format information (15 bits, level M = 00) and the one dark module beside it.
  const format = bch(mask, 0x537, 15) ^ 0x5412;
  for (let i = 0; i < 15; i += 1) {
    const dark = ((format >> i) & 1) === 1;
    set(i < 6 ? i : i < 8 ? i + 1 : size - 15 + i, 8, dark);
    set(8, i < 8 ? size - i - 1 : i < 9 ? 15 - i : 14 - i, dark);
  }
  set(size - 8, 8, true);
  // Version information from version 7 on (18 bits, twice).
  if (version >= 7) {
    const info = bch(version, 0x1f25, 18);
    for (let i = 0; i < 18; i += 1) {
      const dark = ((info >> i) & 1) === 1;
      set(Math.floor(i / 3), (i % 3) + size - 11, dark);
      set((i % 3) + size - 11, Math.floor(i / 3), dark);
    }
  }

  // Data, in two-column strips from the bottom right, up and down in turn, masked as placed.
  const isDark = MASKS[mask]!;
  let bit = 0;
  let up = true;
  for (let right = size - 1; right > 0; right -= 2) {
    if (right === 6) right -= 1;
    for (let step = 0; step < size; step += 1) {
      const r = up ? size - 1 - step : step;
      for (const c of [right, right - 1]) {
        if (fixed[r * size + c]) continue;
        const word = words[bit >> 3];
        const value = word !== undefined && ((word >> (7 - (bit & 7))) & 1) === 1;
        bit += 1;
        data[r * size + c] = value !== isDark(r, c) ? 1 : 0;
      }
    }
    up = !up;
  }
  return data;
}

/** The standard's penalty of a masked symbol: runs, blocks, finder look-alikes, and balance. */
function penalty(data: Uint8Array, size: number): number {
  let score = 0;
  const at = (r: number, c: number): number => data[r * size + c]!;
  for (const byRow of [true, false]) {
    for (let i = 0; i < size; i += 1) {
      let run = 0;
      let last = -1;
      let window = 0;
      for (let j = 0; j < size; j += 1) {
        const m = byRow ? at(i, j) : at(j, i);
        run = m === last ? run + 1 : 1;
        last = m;
        if (run === 5) score += 3;
        else if (run > 5) score += 1;
        window = ((window << 1) & 0x7ff) | m;
        if (j >= 10 && (window === 0b10111010000 || window === 0b00001011101)) score += 40;
      }
    }
  }
  for (let r = 0; r < size - 1; r += 1) {
    for (let c = 0; c < size - 1; c += 1) {
      const sum = at(r, c) + at(r, c + 1) + at(r + 1, c) + at(r + 1, c + 1);
      if (sum === 0 || sum === 4) score += 3;
    }
  }
  const dark = data.reduce((a, b) => a + b, 0);
  return score + 10 * Math.floor(Math.abs((dark * 100) / data.length - 50) / 5);
}

/**
 * The modules of the QR code for `text`; `mask` forces one of the eight masks (for tests),
 * otherwise the one with the lowest penalty is taken.
 */
export function qrModules(text: string, mask?: number): QrModules {
  const bytes = new TextEncoder().encode(text);
  // Mode (4 bits), length (8 bits below version 10, 16 from it), then the bytes.
  const version = BLOCKS_M.findIndex(([, ...blocks], i) => 4 + (i < 9 ? 8 : 16) + bytes.length * 8 <= blocks.reduce((a, b) => a + b, 0) * 8);
  if (version < 0) throw new Error(`A text of ${bytes.length} bytes is too long for this QR code.`);
  const v = version + 1;
  const words = codewords(bytes, v);
  const size = v * 4 + 17;
  if (mask !== undefined) return { size, version: v, mask, data: layout(v, words, mask) };
  let best: QrModules | null = null;
  let lowest = Number.POSITIVE_INFINITY;
  for (let m = 0; m < 8; m += 1) {
    const data = layout(v, words, m);
    const score = penalty(data, size);
    if (score < lowest) {
      lowest = score;
      best = { size, version: v, mask: m, data };
    }
  }
  return best!;
}

/** An SVG drawing of the QR code for `text`: a light square with one dark path, a one-module margin. */
export function qrSvg(text: string): string {
  const { size, data } = qrModules(text);
  const width = size + 2;
  let path = '';
  for (let r = 0; r < size; r += 1) {
    for (let c = 0; c < size; c += 1) {
      if (!data[r * size + c]) continue;
      let run = 1;
      while (c + run < size && data[r * size + c + run]) run += 1;
      path += `M${c + 1} ${r + 1}h${run}v1h-${run}z`;
      c += run - 1;
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${width}" shape-rendering="crispEdges"><path fill="#fff" d="M0 0h${width}v${width}H0z"/><path fill="#000" d="${path}"/></svg>`;
}
