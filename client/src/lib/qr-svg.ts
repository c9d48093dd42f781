import { renderSVG } from 'uqr';

/**
 * An SVG drawing of a QR code for `text`, from `uqr` (a small, dependency-free encoder that
 * writes one rectangle and one path): medium error correction, a one-module quiet border.
 */
export function qrSvg(text: string): string {
  return renderSVG(text, { ecc: 'M', border: 1, pixelSize: 1 });
}
