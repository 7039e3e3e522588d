// Generates the app icon as PNG (no ImageMagick): build/icon.png (512x512, mac/win source) and
// build/icons/{256x256,512x512}.png (Linux). Run: node build/make-icons.mjs. The output is committed.
//
// The design: a rounded square in a blue gradient holding a white "stacked disks" glyph (an image store), drawn
// with 4x4 supersampling for smooth edges.
import { deflateSync } from 'node:zlib'
import { mkdirSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'

const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
function crc32(buf) {
  let c = 0xffffffff
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
function chunk(type, data) {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(td))
  return Buffer.concat([len, td, crc])
}
/** RGBA pixels (Uint8Array, size*size*4) -> PNG bytes. */
export function encodePng(size, rgba) {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(size, 0)
  ihdr.writeUInt32BE(size, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 6 // RGBA
  const raw = Buffer.alloc((size * 4 + 1) * size)
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0 // filter: none
    Buffer.from(rgba.buffer, y * size * 4, size * 4).copy(raw, y * (size * 4 + 1) + 1)
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

// Shapes in unit coordinates (0..1).
function insideRoundedRect(x, y, x0, y0, x1, y1, r) {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false
  const cx = Math.min(Math.max(x, x0 + r), x1 - r)
  const cy = Math.min(Math.max(y, y0 + r), y1 - r)
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r
}
function insideEllipse(x, y, cx, cy, rx, ry) {
  return ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1
}
/** One "disk": an elliptic cylinder seen from above. Returns 'top' | 'side' | null. */
function disk(x, y, cy, h) {
  const cx = 0.5,
    rx = 0.27,
    ry = 0.085
  if (insideEllipse(x, y, cx, cy, rx, ry)) return 'top'
  if (Math.abs(x - cx) <= rx && y >= cy && y <= cy + h) return 'side'
  if (insideEllipse(x, y, cx, cy + h, rx, ry)) return 'side'
  return null
}

function sample(x, y) {
  if (!insideRoundedRect(x, y, 0.04, 0.04, 0.96, 0.96, 0.2)) return [0, 0, 0, 0]
  // background: a diagonal blue gradient
  const t = (x + y) / 2
  let color = [Math.round(0x1f + (0x3a - 0x1f) * t), Math.round(0x6f + (0x9b - 0x6f) * t), Math.round(0xd6 + (0xf5 - 0xd6) * t), 255]
  // three stacked disks, bottom first so upper ones cover lower ones
  for (const cy of [0.62, 0.47, 0.32]) {
    const part = disk(x, y, cy, 0.09)
    if (part === 'side') color = [0xe8, 0xf0, 0xfb, 255]
    if (part === 'top') color = [0xff, 0xff, 0xff, 255]
    // a thin gap line under each top to separate the disks
    if (part === 'side' && insideEllipse(x, y, 0.5, cy, 0.27, 0.085 + 0.012) && !insideEllipse(x, y, 0.5, cy, 0.27, 0.085)) {
      color = [0x9f, 0xbf, 0xea, 255]
    }
  }
  return color
}

export function render(size, ss = 4) {
  const out = new Uint8Array(size * size * 4)
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const [cr, cg, cb, ca] = sample((px + (sx + 0.5) / ss) / size, (py + (sy + 0.5) / ss) / size)
          r += cr * ca
          g += cg * ca
          b += cb * ca
          a += ca
        }
      }
      const i = (py * size + px) * 4
      const n = ss * ss
      out[i] = a ? Math.round(r / a) : 0
      out[i + 1] = a ? Math.round(g / a) : 0
      out[i + 2] = a ? Math.round(b / a) : 0
      out[i + 3] = Math.round(a / n)
    }
  }
  return out
}

const here = import.meta.dirname
mkdirSync(resolve(here, 'icons'), { recursive: true })
for (const size of [512, 256]) {
  const png = encodePng(size, render(size))
  writeFileSync(resolve(here, 'icons', `${size}x${size}.png`), png)
  if (size === 512) writeFileSync(resolve(here, 'icon.png'), png)
  console.log(`build/icons/${size}x${size}.png ${png.length} bytes`)
}
