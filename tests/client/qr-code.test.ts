import { describe, expect, it } from 'vitest';
import QRCode from 'qrcode';
import { qrModules, qrSvg } from '../../client/src/lib/qr-code';

/** The `qrcode` package's modules for the same text, all in byte mode, level M, the same mask. */
function reference(text: string, mask: number): { version: number; data: Uint8Array } {
  const qr = QRCode.create([{ data: Buffer.from(text), mode: 'byte' }], { errorCorrectionLevel: 'M', maskPattern: mask as QRCode.QRCodeMaskPattern });
  return { version: qr.version, data: Uint8Array.from(qr.modules.data, (m) => (m ? 1 : 0)) };
}

/** Texts of every length that picks a new version, and the app's own links. */
const TEXTS = [
  'a',
  'http://192.168.178.23:3000/join/AbCdEfGhIjKlMnOpQrStUv#invite=WxYz0123456789-_AbCdEf',
  'https://duologue.example.org/room/AbCdEfGhIjKlMnOpQrStUv#key=WxYz0123456789-_AbCdEf',
  'Grüße, ליאור — 💬',
  ...[14, 15, 26, 27, 42, 43, 62, 63, 84, 85, 106, 107, 122, 123, 152, 153, 180, 181, 213].map((n) => 'x'.repeat(n)),
];

describe('the QR code the invite and seat links are shown as', () => {
  it('draws the same symbol as the qrcode package, module for module, for every mask and version 1–10', () => {
    const versions = new Set<number>();
    for (const text of TEXTS) {
      for (let mask = 0; mask < 8; mask += 1) {
        const mine = qrModules(text, mask);
        const theirs = reference(text, mask);
        expect(mine.version, text).toBe(theirs.version);
        expect(Buffer.from(mine.data).equals(Buffer.from(theirs.data)), `${text.slice(0, 20)}… mask ${mask}`).toBe(true);
        versions.add(mine.version);
      }
    }
    expect([...versions].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('picks the mask the qrcode package picks, by the same penalty', () => {
    for (const text of TEXTS) {
      const theirs = QRCode.create([{ data: Buffer.from(text), mode: 'byte' }], { errorCorrectionLevel: 'M' });
      expect(qrModules(text).mask, text.slice(0, 20)).toBe(theirs.maskPattern);
    }
  });

  it('refuses a text too long for version 10, and draws an SVG of rectangles only', () => {
    expect(() => qrModules('x'.repeat(214))).toThrow();
    const svg = qrSvg('https://example.org/join/x#invite=y');
    expect(svg).toMatch(/^<svg [^>]*viewBox="0 0 (\d+) \1"/);
    expect(svg).not.toMatch(/<(script|image|foreignObject|text)/);
  });
});
