// The QR code's core and its SVG writer only: the package's browser entry would bring its
// canvas renderer along, which the phone never uses.
import { create } from 'qrcode/lib/core/qrcode';
import { render } from 'qrcode/lib/renderer/svg-tag';

/** An SVG drawing (rectangles and paths only) of a QR code for `text`. */
export function qrSvg(text: string): string {
  return render(create(text, { errorCorrectionLevel: 'M' }), { margin: 1 });
}
