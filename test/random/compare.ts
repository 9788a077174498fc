import { expect } from 'vitest'

type Numeric = Uint8Array | Uint16Array | Uint32Array | Float32Array | Float64Array

/** Byte-for-byte equality of two typed arrays, reporting the first differing element (fast on large arrays). */
export function expectSameBits (got: Numeric, want: Numeric, what = 'values'): void {
  const a = Buffer.from(got.buffer, got.byteOffset, got.byteLength)
  const b = Buffer.from(want.buffer, want.byteOffset, want.byteLength)
  if (a.equals(b)) return
  expect(got.length, `${what}: length`).toBe(want.length)
  for (let i = 0; i < got.length; i++) {
    if (!Object.is(got[i], want[i])) {
      expect.fail(`${what}: first difference at element ${i} of ${got.length}: got ${got[i]}, want ${want[i]}`)
    }
  }
  // Same values but different bits (e.g. NaN payloads): compare the bytes.
  expect.fail(`${what}: bytes differ`)
}
