import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ElementRange } from '../../src/core/element-range.ts'
import { DTYPES, itemSize, type DType } from '../../src/core/dtype.ts'
import { encodeBody, encodeBodyNow, encodeCheckpointBody } from '../../src/formats/body.ts'
import { mapCheckpointRange, mapTensorRange, sliceByteLength, type ByteRange } from '../../src/formats/byte-range.ts'
import type { Encoding } from '../../src/formats/encoding.ts'
import { npyEncoding } from '../../src/formats/npy.ts'
import { rawEncoding } from '../../src/formats/raw.ts'
import { checkpointEncoding, safetensorsEncoding, type CheckpointEncoding } from '../../src/formats/safetensors.ts'

/** The byte of element `index` of tensor `tensor` at byte `b` within the element: any fixed function works. */
function elementByte (tensor: number, index: number, b: number): number {
  return (index * 131 + b * 17 + tensor * 59 + 3) & 0xff
}

/** An engine stand-in: the bytes of `elements`, cut into chunks of the sizes `cuts` cycles through. */
async function * produceBytes (tensor: number, size: number, elements: ElementRange, cuts: number[]): AsyncGenerator<Uint8Array> {
  const bytes = new Uint8Array((elements.end - elements.start) * size)
  for (let i = 0; i < bytes.length; i++) bytes[i] = elementByte(tensor, elements.start + Math.floor(i / size), i % size)
  let at = 0
  for (let c = 0; at < bytes.length; c++) {
    const length = cuts[c % cuts.length] as number
    yield bytes.slice(at, at + length)
    at += length
  }
}

/** The whole body, built independently of the code under test. */
function fullBody (encoding: Encoding, tensors: Array<{ itemSize: number, elements: number }>): Uint8Array {
  const body = new Uint8Array(encoding.totalBytes)
  body.set(encoding.header, 0)
  let at = encoding.header.length
  for (const [t, { itemSize: size, elements }] of tensors.entries()) {
    for (let e = 0; e < elements; e++) for (let b = 0; b < size; b++) body[at++] = elementByte(t, e, b)
  }
  body.set(encoding.trailer, at)
  return body
}

async function collect (chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const chunk of chunks) parts.push(chunk)
  return new Uint8Array(Buffer.concat(parts))
}

const dtypeArb = fc.constantFrom<DType>(...DTYPES)
const shapeArb = fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 3 })
const cutsArb = fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 4 })

const singleArb = fc.record({
  format: fc.constantFrom('raw', 'npy', 'safetensors'),
  shape: shapeArb,
  dtype: dtypeArb
}).map(({ format, shape, dtype }) => {
  const encoding = format === 'raw'
    ? rawEncoding(shape, dtype)
    : format === 'npy' ? npyEncoding(shape, dtype) : safetensorsEncoding({ name: 'w', shape, dtype }, { format: 'pt' })
  return { encoding, dtype }
})

/** A range within [0, total), or undefined for the whole body; biased toward the part boundaries. */
function rangeArb (encoding: Encoding): fc.Arbitrary<ByteRange | undefined> {
  const total = encoding.totalBytes
  const interesting = [0, encoding.header.length - 1, encoding.header.length, total - 1].filter((p) => p >= 0 && p < total)
  const position = fc.oneof(fc.integer({ min: 0, max: total - 1 }), fc.constantFrom(...interesting))
  return fc.option(fc.tuple(position, position).map(([a, b]) => ({ first: Math.min(a, b), last: Math.max(a, b) })), { nil: undefined })
}

describe('encodeBodyNow', () => {
  it('builds the same bytes as encodeBody from the covered elements computed up front (property)', async () => {
    await fc.assert(fc.asyncProperty(
      singleArb.filter(({ encoding }) => encoding.totalBytes > 0).chain((single) => fc.tuple(fc.constant(single), rangeArb(single.encoding))),
      async ([{ encoding, dtype }, range]) => {
        const size = itemSize(dtype)
        const parts = mapTensorRange(encoding, size, range)
        const elementBytes = await collect(produceBytes(0, size, parts.elements, [1 << 20]))
        const now = encodeBodyNow(parts, size, elementBytes)
        const streamed = await collect(encodeBody(encoding, size, range, (elements) => produceBytes(0, size, elements, [7])))
        expect(Buffer.from(now).equals(Buffer.from(streamed))).toBe(true)
        expect(now.length).toBe(range === undefined ? encoding.totalBytes : range.last - range.first + 1)
      }), { numRuns: 300 })
  })

  it('refuses element bytes of the wrong length', () => {
    const parts = mapTensorRange(npyEncoding([10], 'float32'), 4, undefined)
    expect(() => encodeBodyNow(parts, 4, new Uint8Array(36))).toThrow(/yielded 36 of the 40 bytes/)
    expect(() => encodeBodyNow(parts, 4, new Uint8Array(44))).toThrow(/more than the 40 bytes/)
  })
})

describe('encodeBody', () => {
  it('yields exactly the requested slice of the full body (property)', async () => {
    await fc.assert(fc.asyncProperty(
      singleArb.filter(({ encoding }) => encoding.totalBytes > 0).chain((single) => fc.tuple(fc.constant(single), rangeArb(single.encoding), cutsArb)),
      async ([{ encoding, dtype }, range, cuts]) => {
        const size = itemSize(dtype)
        const calls: ElementRange[] = []
        const body = await collect(encodeBody(encoding, size, range, (elements) => {
          calls.push(elements)
          return produceBytes(0, size, elements, cuts)
        }))
        const full = fullBody(encoding, [{ itemSize: size, elements: encoding.dataBytes / size }])
        const expected = range === undefined ? full : full.subarray(range.first, range.last + 1)
        expect(Buffer.from(body).equals(Buffer.from(expected))).toBe(true)
        // Only the covered elements are computed, in one call at most.
        expect(calls.length).toBeLessThanOrEqual(1)
        const parts = mapTensorRange(encoding, size, range)
        if (calls[0] !== undefined) {
          expect(calls[0]).toEqual(parts.elements)
          const from = range?.first ?? 0
          const to = range === undefined ? encoding.totalBytes : range.last + 1
          // The first and last elements requested do overlap the range.
          const dataStart = encoding.header.length
          expect(dataStart + calls[0].start * size).toBeLessThan(to)
          expect(dataStart + calls[0].end * size).toBeGreaterThan(from)
          expect(dataStart + (calls[0].start + 1) * size).toBeGreaterThan(from)
          expect(dataStart + (calls[0].end - 1) * size).toBeLessThan(to)
        } else {
          expect(parts.elements.start).toBe(parts.elements.end)
        }
      }), { numRuns: 400 })
  })

  it('serves an empty body for an empty raw tensor', async () => {
    const encoding = rawEncoding([0, 3], 'float32')
    expect(encoding.totalBytes).toBe(0)
    expect((await collect(encodeBody(encoding, 4, undefined, () => { throw new Error('nothing to produce') }))).length).toBe(0)
  })

  it('does not call the producer for a range inside the header', async () => {
    const encoding = npyEncoding([1000], 'float32')
    const body = await collect(encodeBody(encoding, 4, { first: 0, last: 9 }, () => { throw new Error('must not compute') }))
    expect(Buffer.from(body).toString('latin1')).toBe('\x93NUMPY\x01\x00v\x00')
  })

  it('computes only the elements a mid-data range covers, trimming partial elements', async () => {
    const encoding = rawEncoding([100], 'float64')
    const calls: ElementRange[] = []
    const body = await collect(encodeBody(encoding, 8, { first: 21, last: 42 }, (elements) => {
      calls.push(elements)
      return produceBytes(0, 8, elements, [5])
    }))
    expect(calls).toEqual([{ start: 2, end: 6 }])
    expect(mapTensorRange(encoding, 8, { first: 21, last: 42 })).toMatchObject({ elements: { start: 2, end: 6 }, dropFirst: 5, keepLast: 3 })
    expect([...body]).toEqual(Array.from({ length: 22 }, (_, i) => elementByte(0, Math.floor((21 + i) / 8), (21 + i) % 8)))
  })

  it('pulls lazily: the header comes before any computation, and at most one chunk is pending', async () => {
    const encoding = npyEncoding([64], 'float32')
    let produced = 0
    async function * engine (elements: ElementRange): AsyncGenerator<Uint8Array> {
      for (let e = elements.start; e < elements.end; e += 8) {
        produced++
        yield new Uint8Array(32)
      }
    }
    const body = encodeBody(encoding, 4, undefined, engine)
    const header = await body.next()
    expect(header.value).toEqual(encoding.header)
    expect(produced).toBe(0)
    let consumed = 0
    for await (const chunk of body) {
      consumed++
      expect(chunk.length).toBe(32)
      // The chunk being handed out is the last one produced: nothing is produced ahead.
      expect(produced).toBe(consumed)
    }
    expect(consumed).toBe(8)
  })

  it('stops the producer when the consumer stops', async () => {
    let finished = false
    async function * engine (): AsyncGenerator<Uint8Array> {
      try {
        for (;;) yield new Uint8Array(4)
      } finally {
        finished = true
      }
    }
    const body = encodeBody(rawEncoding([1000], 'float32'), 4, undefined, engine)
    await body.next()
    await body.return(undefined)
    expect(finished).toBe(true)
  })

  it('throws when the producer yields too few bytes, after sending what it had', async () => {
    const encoding = rawEncoding([10], 'int16')
    async function * short (): AsyncGenerator<Uint8Array> { yield new Uint8Array(19) }
    const received: Uint8Array[] = []
    const run = async (): Promise<void> => { for await (const chunk of encodeBody(encoding, 2, undefined, short)) received.push(chunk) }
    await expect(run()).rejects.toMatchObject({ code: 'internal', message: expect.stringMatching(/19 of the 20 bytes/) })
    expect(received.reduce((n, c) => n + c.length, 0)).toBe(19)
  })

  it('throws when the producer yields too many bytes, before sending the overflowing chunk', async () => {
    const encoding = rawEncoding([10], 'int16')
    async function * long (): AsyncGenerator<Uint8Array> { yield new Uint8Array(12); yield new Uint8Array(12) }
    const received: Uint8Array[] = []
    const run = async (): Promise<void> => { for await (const chunk of encodeBody(encoding, 2, { first: 0, last: 19 }, long)) received.push(chunk) }
    await expect(run()).rejects.toMatchObject({ code: 'internal', message: expect.stringMatching(/more than the 20 bytes/) })
    expect(received.reduce((n, c) => n + c.length, 0)).toBe(12)
  })

  it('rejects an item size that does not divide the data', () => {
    expect(() => mapTensorRange(rawEncoding([3], 'float32'), 8)).toThrow(RangeError)
    expect(() => mapTensorRange(rawEncoding([3], 'float32'), 0)).toThrow(RangeError)
  })

  it('rejects ranges outside the representation', async () => {
    const encoding = rawEncoding([4], 'float32')
    for (const range of [{ first: 0, last: 16 }, { first: 5, last: 4 }, { first: -1, last: 3 }, { first: 0.5, last: 3 }]) {
      await expect(collect(encodeBody(encoding, 4, range, (e) => produceBytes(0, 4, e, [4]))))
        .rejects.toMatchObject({ code: 'range-not-satisfiable' })
    }
  })
})

const specsArb = fc.array(fc.record({ shape: shapeArb, dtype: dtypeArb }), { maxLength: 5 })
  .map((specs) => checkpointEncoding(specs.map((spec, i) => ({ ...spec, name: `t${i}` })), { format: 'mlx' }))

describe('encodeCheckpointBody', () => {
  it('yields exactly the requested slice of the whole checkpoint (property)', async () => {
    await fc.assert(fc.asyncProperty(
      specsArb.chain((encoding) => fc.tuple(fc.constant(encoding), rangeArb(encoding), cutsArb)),
      async ([encoding, range, cuts]: [CheckpointEncoding, ByteRange | undefined, number[]]) => {
        const calls: Array<[number, ElementRange]> = []
        const body = await collect(encodeCheckpointBody(encoding, range, (tensor, elements) => {
          calls.push([tensor, elements])
          return produceBytes(tensor, encoding.tensors[tensor]?.itemSize ?? 0, elements, cuts)
        }))
        const full = fullBody(encoding, encoding.tensors)
        const expected = range === undefined ? full : full.subarray(range.first, range.last + 1)
        expect(Buffer.from(body).equals(Buffer.from(expected))).toBe(true)
        // One call per covered tensor, in order, each for a non-empty element range inside the tensor.
        const parts = mapCheckpointRange(encoding, range)
        expect(calls).toEqual(parts.slices.map((s) => [s.tensor, s.elements]))
        const sliceBytes = parts.slices.map((s) => sliceByteLength(s, encoding.tensors[s.tensor]?.itemSize ?? 0))
        expect(parts.header.length + sliceBytes.reduce((a, b) => a + b, 0) + parts.trailer.length).toBe(expected.length)
        for (const [t, elements] of calls) {
          expect(elements.start).toBeLessThan(elements.end)
          expect(elements.end).toBeLessThanOrEqual(encoding.tensors[t]?.elements ?? -1)
        }
        expect(new Set(calls.map(([t]) => t)).size).toBe(calls.length)
      }), { numRuns: 400 })
  })

  it('maps a range spanning tensors to each tensor\'s elements by byte offset', () => {
    const encoding = checkpointEncoding([
      { name: 'a', shape: [4], dtype: 'float32' },
      { name: 'b', shape: [3], dtype: 'float16' },
      { name: 'c', shape: [2], dtype: 'float64' }
    ])
    const [a, b, c] = encoding.tensors
    if (a === undefined || b === undefined || c === undefined) throw new Error('three tensors')
    // From the middle of a's element 2 to the first byte of c's element 1.
    const parts = mapCheckpointRange(encoding, { first: a.byteOffset + 9, last: c.byteOffset + 8 })
    expect(parts.header.length).toBe(0)
    expect(parts.slices).toEqual([
      { tensor: 0, elements: { start: 2, end: 4 }, dropFirst: 1, keepLast: 4 },
      { tensor: 1, elements: { start: 0, end: 3 }, dropFirst: 0, keepLast: 2 },
      { tensor: 2, elements: { start: 0, end: 2 }, dropFirst: 0, keepLast: 1 }
    ])
  })

  it('fails on a short tensor even when later tensors follow', async () => {
    const encoding = checkpointEncoding([{ name: 'a', shape: [2], dtype: 'int8' }, { name: 'b', shape: [2], dtype: 'int8' }])
    await expect(collect(encodeCheckpointBody(encoding, undefined, (tensor, elements) =>
      produceBytes(tensor, 1, tensor === 0 ? { start: 0, end: 1 } : elements, [1]))))
      .rejects.toMatchObject({ code: 'internal', message: expect.stringMatching(/tensor 0/) })
  })
})
