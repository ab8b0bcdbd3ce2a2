// Draws the app's PNG icons (web-client/icons/icon-192.png and icon-512.png) from the same
// shapes as icon.svg, with Node's built-ins only (zlib for the PNG's deflate). Run it
// after changing icon.svg: `node tests/browser/tools/make_icons.mjs`.
import { deflateSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'web-client', 'icons');
const BLUE = [0x0b, 0x3d, 0x66];
// In icon.svg's 512 × 512 units: the background and the handset (turned by -35°).
const HANDSET = [[96, 160, 320, 64, 32], [86, 160, 110, 180, 40], [316, 160, 110, 180, 40]];
const TURN = (35 * Math.PI) / 180;

function inRoundedRect(x, y, [left, top, width, height, r]) {
  const dx = Math.max(Math.abs(x - (left + width / 2)) - (width / 2 - r), 0);
  const dy = Math.max(Math.abs(y - (top + height / 2)) - (height / 2 - r), 0);
  return dx * dx + dy * dy <= r * r;
}

// The colour at a point: [r, g, b, a] (a is 0 or 1).
function sample(x, y) {
  if (!inRoundedRect(x, y, [0, 0, 512, 512, 96])) return [0, 0, 0, 0];
  // Undo the rotation: turn the point by +35° around the centre.
  const cx = x - 256; const cy = y - 256;
  const ux = 256 + cx * Math.cos(TURN) - cy * Math.sin(TURN);
  const uy = 256 + cx * Math.sin(TURN) + cy * Math.cos(TURN);
  return HANDSET.some((rect) => inRoundedRect(ux, uy, rect)) ? [255, 255, 255, 1] : [...BLUE, 1];
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

function png(size) {
  const scale = 512 / size;
  const grid = 4; // 16 samples per pixel for smooth edges
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let py = 0; py < size; py += 1) {
    rows[py * (size * 4 + 1)] = 0; // filter: none
    for (let px = 0; px < size; px += 1) {
      let r = 0; let g = 0; let b = 0; let a = 0;
      for (let sy = 0; sy < grid; sy += 1) {
        for (let sx = 0; sx < grid; sx += 1) {
          const [cr, cg, cb, ca] = sample((px + (sx + 0.5) / grid) * scale, (py + (sy + 0.5) / grid) * scale);
          r += cr * ca; g += cg * ca; b += cb * ca; a += ca;
        }
      }
      const at = py * (size * 4 + 1) + 1 + px * 4;
      rows[at] = a ? Math.round(r / a) : 0;
      rows[at + 1] = a ? Math.round(g / a) : 0;
      rows[at + 2] = a ? Math.round(b / a) : 0;
      rows[at + 3] = Math.round((a / (grid * grid)) * 255);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8 bits, RGBA, deflate, no filter choice, no interlace
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header), chunk('IDAT', deflateSync(rows, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

for (const size of [192, 512]) writeFileSync(join(out, `icon-${size}.png`), png(size));
