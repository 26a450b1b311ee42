/**
 * IEEE 754 half precision (binary16) to and from float32, round to nearest even; Node 20 has no
 * Float16Array. Adapters are stored this way: half the bytes, and a LoRA update's rounding error
 * (2⁻¹¹ relative) is far below what training noise moves it by.
 */
const f32 = new Float32Array(1)
const u32 = new Uint32Array(f32.buffer)

export function floatToHalf(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length)
  for (let i = 0; i < values.length; i++) {
    f32[0] = values[i]
    const x = u32[0]
    const sign = (x >>> 16) & 0x8000
    const exp = (x >>> 23) & 0xff
    let mant = x & 0x7fffff
    if (exp === 0xff) {
      out[i] = sign | 0x7c00 | (mant ? 0x200 : 0) // inf / NaN
      continue
    }
    const e = exp - 127 + 15
    if (e >= 0x1f) {
      out[i] = sign | 0x7c00 // overflow → inf
      continue
    }
    if (e <= 0) {
      // subnormal half (or zero): shift the mantissa with its implicit 1, round to nearest even
      if (e < -10) {
        out[i] = sign
        continue
      }
      mant |= 0x800000
      const shift = 14 - e
      const half = mant >>> shift
      const rest = mant & ((1 << shift) - 1)
      const mid = 1 << (shift - 1)
      out[i] = sign | (half + (rest > mid || (rest === mid && half & 1) ? 1 : 0))
      continue
    }
    const half = (e << 10) | (mant >>> 13)
    const rest = mant & 0x1fff
    // a carry out of the mantissa correctly bumps the exponent (up to inf)
    out[i] = sign | (half + (rest > 0x1000 || (rest === 0x1000 && half & 1) ? 1 : 0))
  }
  return out
}

export function halfToFloat(values: Uint16Array): Float32Array {
  const out = new Float32Array(values.length)
  for (let i = 0; i < values.length; i++) {
    const h = values[i]
    const sign = h & 0x8000 ? -1 : 1
    const exp = (h >>> 10) & 0x1f
    const mant = h & 0x3ff
    if (exp === 0) out[i] = sign * mant * 2 ** -24
    else if (exp === 0x1f) out[i] = mant ? Number.NaN : sign * Number.POSITIVE_INFINITY
    else out[i] = sign * (1 + mant / 1024) * 2 ** (exp - 15)
  }
  return out
}
