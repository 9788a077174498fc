/**
 * C99 hexadecimal floating literals ("0x1.62e42fefa39efp-1"), so constants can be written exactly
 * as they appear in glibc and MLX sources instead of as lossy-looking decimals.
 * Exact for every normal double: the significand has at most 53 bits, and scaling by a power of
 * two is exact.
 */
export function hexFloat (literal: string): number {
  const m = /^([+-])?0x([0-9a-f]+)(?:\.([0-9a-f]*))?p([+-]?\d+)$/i.exec(literal)
  if (m === null) throw new SyntaxError(`not a hex float literal: ${literal}`)
  const intPart = m[2]!
  const frac = m[3] ?? ''
  const digits = (intPart + frac).replace(/^0+/, '') || '0'
  const significand = parseInt(digits, 16)
  if (digits.length > 14 || significand > Number.MAX_SAFE_INTEGER) {
    throw new RangeError(`hex float literal has more than 53 significant bits: ${literal}`)
  }
  const value = significand * 2 ** (Number(m[4]) - 4 * frac.length)
  return m[1] === '-' ? -value : value
}
