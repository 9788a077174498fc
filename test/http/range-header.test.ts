import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { contentRange, parseRange, unsatisfiedContentRange } from '../../src/http/range-header.ts'

const single = (first: number, last: number): unknown => ({ kind: 'single', first, last })

describe('parseRange', () => {
  it('answers none without a Range header', () => {
    expect(parseRange(undefined, 10_000)).toEqual({ kind: 'none' })
  })

  it('reads the examples of RFC 9110 §14.1.2 for a 10000-byte representation', () => {
    // "The first 500 bytes (byte offsets 0-499, inclusive)"
    expect(parseRange('bytes=0-499', 10_000)).toEqual(single(0, 499))
    // "The second 500 bytes (byte offsets 500-999, inclusive)"
    expect(parseRange('bytes=500-999', 10_000)).toEqual(single(500, 999))
    // "The final 500 bytes (byte offsets 9500-9999, inclusive)", both spellings
    expect(parseRange('bytes=-500', 10_000)).toEqual(single(9500, 9999))
    expect(parseRange('bytes=9500-', 10_000)).toEqual(single(9500, 9999))
    // "The first and last bytes only (bytes 0 and 9999)": multiple ranges, served as 200
    expect(parseRange('bytes=0-0,-1', 10_000)).toEqual({ kind: 'ignore' })
    // "Other valid (but not canonical) specifications of the second 500 bytes"
    expect(parseRange('bytes=500-600,601-999', 10_000)).toEqual({ kind: 'ignore' })
    expect(parseRange('bytes=500-700,601-999', 10_000)).toEqual({ kind: 'ignore' })
  })

  it('clamps last-pos and suffix-length to the representation (§14.1.2)', () => {
    expect(parseRange('bytes=0-99999', 100)).toEqual(single(0, 99))
    expect(parseRange('bytes=0-99999999999999999999999', 100)).toEqual(single(0, 99))
    expect(parseRange('bytes=-1000', 100)).toEqual(single(0, 99))
    expect(parseRange('bytes=99-', 100)).toEqual(single(99, 99))
    expect(parseRange('bytes=0-0', 1)).toEqual(single(0, 0))
  })

  it('answers unsatisfiable when first-pos is at or past the end, or the suffix is empty (§14.1.1)', () => {
    expect(parseRange('bytes=100-', 100)).toEqual({ kind: 'unsatisfiable' })
    expect(parseRange('bytes=100-200', 100)).toEqual({ kind: 'unsatisfiable' })
    expect(parseRange('bytes=99999999999999999999999-', 100)).toEqual({ kind: 'unsatisfiable' })
    expect(parseRange('bytes=-0', 100)).toEqual({ kind: 'unsatisfiable' })
    expect(parseRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' })
    expect(parseRange('bytes=0-0', 0)).toEqual({ kind: 'unsatisfiable' })
    expect(parseRange('bytes=-0', 0)).toEqual({ kind: 'unsatisfiable' })
  })

  it('serves the whole (empty) representation for a suffix of an empty one', () => {
    // Satisfiable by §14.1.1, but no Content-Range can describe zero bytes.
    expect(parseRange('bytes=-5', 0)).toEqual({ kind: 'ignore' })
  })

  it('treats the unit case-insensitively and tolerates list whitespace and empty elements (§5.6.1)', () => {
    expect(parseRange('Bytes=1-2', 10)).toEqual(single(1, 2))
    expect(parseRange('BYTES=1-2', 10)).toEqual(single(1, 2))
    expect(parseRange('bytes= 1-2 ', 10)).toEqual(single(1, 2))
    expect(parseRange('bytes=,1-2,', 10)).toEqual(single(1, 2))
    expect(parseRange('bytes=1-2,\t, ', 10)).toEqual(single(1, 2))
  })

  it('ignores other units and invalid syntax (§14.2)', () => {
    for (const header of ['', 'bytes', 'bytes=', 'bytes=,', 'items=0-1', 'bytes =0-1', 'bytes=a-b', 'bytes=1', 'bytes=--1',
      'bytes=1-2-3', 'bytes=+1-2', 'bytes=1 -2', 'bytes=0x1-2', 'bytes=1.5-2', 'bytes=5-4', 'bytes=-', 'bytes=-1-', 'bytes=1-2;3-4',
      'bytes=١-٢']) {
      expect(parseRange(header, 10), JSON.stringify(header)).toEqual({ kind: 'ignore' })
    }
  })

  it('only ever returns ranges inside the representation (property)', () => {
    fc.assert(fc.property(
      fc.oneof(
        fc.tuple(fc.nat(), fc.option(fc.nat(), { nil: undefined })).map(([a, b]) => `bytes=${a}-${b ?? ''}`),
        fc.nat().map((n) => `bytes=-${n}`),
        fc.string()
      ),
      fc.nat(),
      (header, total) => {
        const result = parseRange(header, total)
        if (result.kind === 'single') {
          expect(Number.isSafeInteger(result.first) && Number.isSafeInteger(result.last)).toBe(true)
          expect(result.first >= 0 && result.first <= result.last && result.last < total).toBe(true)
        }
      }))
  })
})

describe('Content-Range', () => {
  it('formats satisfied and unsatisfied ranges as in RFC 9110 §14.4', () => {
    expect(contentRange(42, 1233, 1234)).toBe('bytes 42-1233/1234')
    expect(contentRange(0, 0, 1)).toBe('bytes 0-0/1')
    expect(unsatisfiedContentRange(1234)).toBe('bytes */1234')
  })
})
