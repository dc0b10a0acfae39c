/**
 * Pixels between a canvas and the model, as the Android core's Pixels does:
 * v = byte / 255 (float32) in, byte = floor(clamp(v, 0, 1) · 255 + 0.5) out.
 * Alpha is ignored on the way in and opaque on the way out.
 */

/** RGBA bytes (ImageData.data) → float RGB [H·W·3] in [0, 1]. */
export function toTensor(rgba) {
  const out = new Float32Array((rgba.length / 4) * 3);
  for (let i = 0, k = 0; i < rgba.length; i += 4) {
    out[k++] = rgba[i] / 255;
    out[k++] = rgba[i + 1] / 255;
    out[k++] = rgba[i + 2] / 255;
  }
  return out;
}

/** One channel to a byte; NaN → 0. */
export function toByte(v) {
  if (Number.isNaN(v)) return 0;
  return Math.floor(Math.min(1, Math.max(0, v)) * 255 + 0.5);
}

/** Float RGB [H·W·3] → opaque RGBA bytes for an ImageData. */
export function toRgba(rgb) {
  const out = new Uint8ClampedArray((rgb.length / 3) * 4);
  for (let i = 0, k = 0; k < rgb.length; i += 4) {
    out[i] = toByte(rgb[k++]);
    out[i + 1] = toByte(rgb[k++]);
    out[i + 2] = toByte(rgb[k++]);
    out[i + 3] = 255;
  }
  return out;
}

/**
 * How a width × height photo becomes the model's size² input: its central
 * square {x, y, side}, and a note for the page when it is cropped or scaled
 * (empty when the photo is used as is).
 */
export function fitSquare(width, height, size) {
  const side = Math.min(width, height);
  const crop = {x: Math.floor((width - side) / 2), y: Math.floor((height - side) / 2), side};
  const changes = [];
  if (width !== height) changes.push(`cropped to its central ${side}×${side} square`);
  if (side > size) changes.push(`reduced to ${size}×${size}`);
  if (side < size) changes.push(`enlarged to ${size}×${size}`);
  const note = changes.length
    ? `The ${width}×${height} photo was ${changes.join(' and ')}, the model's working size.`
    : '';
  return {crop, note};
}
