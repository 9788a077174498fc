import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DTYPES, itemSize, type DType } from '../../src/core/dtype.ts'
import { ERROR_CODES } from '../../src/core/errors.ts'
import { encodeJson, encodeJsonAsync, encodeJsonBuffers, encodeJsonFromChunks, maxJsonBytes, type JsonTensor } from '../../src/formats/json.ts'
import { float16ToNumber } from '../../src/formats/half-decode.ts'
import { python, toBase64 } from './python.ts'

const f32 = new Float32Array(1)
const u32 = new Uint32Array(f32.buffer)

/** `count` pseudo-random elements of `dtype` as little-endian bytes, with no NaN or infinity. */
function randomElements (dtype: DType, count: number, seed: number): Uint8Array {
  const size = itemSize(dtype)
  const bytes = new Uint8Array(count * size)
  let state = seed >>> 0
  for (let i = 0; i < bytes.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    bytes[i] = state >>> 24
  }
  const view = new DataView(bytes.buffer)
  for (let i = 0; i < count; i++) {
    const at = i * size
    // Clear one exponent bit where an all-ones exponent (inf/NaN) came out.
    if (dtype === 'float32' && !Number.isFinite(view.getFloat32(at, true))) view.setUint8(at + 3, view.getUint8(at + 3) & 0xbf)
    if (dtype === 'float64' && !Number.isFinite(view.getFloat64(at, true))) view.setUint8(at + 7, view.getUint8(at + 7) & 0xbf)
    if (dtype === 'float16' && !Number.isFinite(float16ToNumber(view.getUint16(at, true)))) view.setUint8(at + 1, view.getUint8(at + 1) & 0xbf)
    if (dtype === 'bfloat16' && (view.getUint16(at, true) & 0x7f80) === 0x7f80) view.setUint8(at + 1, view.getUint8(at + 1) & 0xbf)
    if (dtype === 'bool') view.setUint8(at, view.getUint8(at) & 1)
  }
  return bytes
}

const meta = (shape: number[], dtype: DType): JsonTensor => ({ shape, dtype, profile: 'mlx-0.32' })

describe('encodeJson', () => {
  it('writes {shape, dtype, profile, data} with nested C-order lists like numpy tolist()', () => {
    const bytes = new Uint8Array(new Int16Array([1, -2, 3, 4, 5, 6, 7, -8, 9, 10, 11, 12]).buffer)
    const text = encodeJson(meta([2, 3, 2], 'int16'), bytes)
    expect(text).toBe('{"shape":[2,3,2],"dtype":"int16","profile":"mlx-0.32","data":[[[1,-2],[3,4],[5,6]],[[7,-8],[9,10],[11,12]]]}')
  })

  it('writes scalars bare and zero-size dimensions as empty lists', () => {
    expect(JSON.parse(encodeJson(meta([], 'float32'), new Uint8Array(new Float32Array([0.25]).buffer))).data).toBe(0.25)
    expect(JSON.parse(encodeJson(meta([0], 'float32'), new Uint8Array(0))).data).toEqual([])
    expect(JSON.parse(encodeJson(meta([0, 3], 'float32'), new Uint8Array(0))).data).toEqual([])
    expect(JSON.parse(encodeJson(meta([2, 0], 'float32'), new Uint8Array(0))).data).toEqual([[], []])
    expect(JSON.parse(encodeJson(meta([1, 2, 0], 'int8'), new Uint8Array(0))).data).toEqual([[[], []]])
  })

  it('reads back into the same bytes with numpy for every dtype', () => {
    const shapes = [[], [5], [3, 4], [2, 3, 5]]
    const cases = DTYPES.flatMap((dtype, d) => shapes.map((shape, s) => {
      const count = shape.reduce((a, b) => a * b, 1)
      const bytes = randomElements(dtype, count, d * 10 + s)
      return { dtype, shape, bytes: toBase64(bytes), text: encodeJson(meta(shape, dtype), bytes) }
    }))
    const results = python<Array<{ equal: boolean, shape: number[], dtype: string, profile: string }>>(`
import numpy as np
NUMPY = {'float32': '<f4', 'float16': '<f2', 'float64': '<f8', 'int8': '|i1', 'int16': '<i2', 'int32': '<i4', 'int64': '<i8',
         'uint8': '|u1', 'uint16': '<u2', 'uint32': '<u4', 'uint64': '<u8', 'bool': '|b1'}
def ints(value):
    # 64-bit integers beyond 2^53-1 arrive as decimal strings.
    return [ints(v) for v in value] if isinstance(value, list) else int(value)
out = []
for case in input_:
    doc = json.loads(case['text'])
    expected = base64.b64decode(case['bytes'])
    data = doc['data']
    if case['dtype'] == 'bfloat16':
        # Read as a float32, then round to bfloat16 (round half to even on the float32 bits).
        bits = np.array(data, dtype='<f4').reshape(-1).view('<u4').astype(np.uint64)
        got = ((bits + 0x7fff + ((bits >> 16) & 1)) >> 16).astype('<u2').tobytes()
    elif case['dtype'] in ('int64', 'uint64'):
        got = np.array(ints(data), dtype=NUMPY[case['dtype']]).tobytes()
    else:
        got = np.array(data, dtype=NUMPY[case['dtype']]).tobytes()
    out.append({'equal': got == expected, 'shape': doc['shape'], 'dtype': doc['dtype'], 'profile': doc['profile']})
print(json.dumps(out))
`, cases)
    for (const [i, { dtype, shape }] of cases.entries()) {
      expect(results[i], `${dtype} ${JSON.stringify(shape)}`).toEqual({ equal: true, shape, dtype, profile: 'mlx-0.32' })
    }
  })

  it('reads back into the same float32 bits in JS (property, all bit patterns incl. subnormals and -0)', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: 50 }), (patterns) => {
      const values = patterns.map((bits) => { u32[0] = bits; return f32[0] as number }).filter(Number.isFinite)
      const bytes = new Uint8Array(new Float32Array(values).buffer)
      const data = JSON.parse(encodeJson(meta([values.length], 'float32'), bytes)).data as number[]
      expect(Buffer.from(new Float32Array(data).buffer).equals(Buffer.from(bytes))).toBe(true)
    }), { numRuns: 2000 })
  })

  it('prints float32 elements with their own shortest digits, not the double\'s', () => {
    const bytes = new Uint8Array(new Float32Array([0.1, -0.3, 1e-7, 0, -0]).buffer)
    expect(JSON.parse(encodeJson(meta([5], 'float32'), bytes).replace(/.*"data":/, '{"data":')).data).toEqual([0.1, -0.3, 1e-7, 0, -0])
    expect(encodeJson(meta([5], 'float32'), bytes)).toContain('"data":[0.1,-0.3,1e-7,0,-0.0]')
  })

  it('writes 64-bit integers as numbers up to 2^53-1 and as decimal strings beyond', () => {
    const i64 = new BigInt64Array([2n ** 53n - 1n, -(2n ** 53n - 1n), 2n ** 53n, -(2n ** 53n), -(2n ** 63n), 2n ** 63n - 1n, 0n])
    expect(encodeJson(meta([7], 'int64'), new Uint8Array(i64.buffer))).toContain(
      '"data":[9007199254740991,-9007199254740991,"9007199254740992","-9007199254740992","-9223372036854775808","9223372036854775807",0]')
    const u64 = new BigUint64Array([2n ** 64n - 1n, 2n ** 53n - 1n])
    expect(encodeJson(meta([2], 'uint64'), new Uint8Array(u64.buffer))).toContain('"data":["18446744073709551615",9007199254740991]')
  })

  it('writes bools as true/false, any non-zero byte being true', () => {
    expect(encodeJson(meta([4], 'bool'), new Uint8Array([0, 1, 2, 255]))).toContain('"data":[false,true,true,true]')
  })

  it('refuses NaN and infinities with not-acceptable (JSON has no representation for them)', () => {
    const cases: Array<[DType, Uint8Array]> = [
      ['float32', new Uint8Array(new Float32Array([1, Infinity]).buffer)],
      ['float32', new Uint8Array(new Float32Array([NaN]).buffer)],
      ['float64', new Uint8Array(new Float64Array([-Infinity]).buffer)],
      ['float16', new Uint8Array(new Uint16Array([0x7c00]).buffer)],
      ['bfloat16', new Uint8Array(new Uint16Array([0x7fc0]).buffer)]
    ]
    for (const [dtype, bytes] of cases) {
      expect(() => encodeJson(meta([bytes.length / itemSize(dtype)], dtype), bytes))
        .toThrow(expect.objectContaining({ code: 'not-acceptable', message: expect.stringMatching(/application\/x-npy/) }))
    }
    // Domain errors carry a code; the code's status is what the HTTP layer answers.
    expect(ERROR_CODES['not-acceptable'].status).toBe(406)
  })

  it('refuses element bytes of the wrong length', () => {
    expect(() => encodeJson(meta([3], 'float32'), new Uint8Array(8))).toThrow(expect.objectContaining({ code: 'internal' }))
  })

  it('reads elements from a subarray at any byte offset', () => {
    const backing = new Uint8Array(11)
    const view = backing.subarray(3, 11)
    new DataView(view.buffer, view.byteOffset).setFloat64(0, -2.5, true)
    expect(encodeJson(meta([], 'float64'), view)).toContain('"data":-2.5}')
  })
})

describe('encodeJsonFromChunks', () => {
  async function * chunks (bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
    for (let at = 0; at < bytes.length; at += size) yield bytes.slice(at, at + size)
  }

  it('gives the same text as encodeJson over any chunking', async () => {
    const bytes = randomElements('float16', 60, 1)
    for (const size of [1, 7, 120]) {
      expect(await encodeJsonFromChunks(meta([3, 4, 5], 'float16'), chunks(bytes, size))).toBe(encodeJson(meta([3, 4, 5], 'float16'), bytes))
    }
  })

  it('fails when the producer yields too few or too many bytes', async () => {
    const bytes = randomElements('int32', 10, 2)
    await expect(encodeJsonFromChunks(meta([11], 'int32'), chunks(bytes, 8))).rejects.toMatchObject({ code: 'internal' })
    await expect(encodeJsonFromChunks(meta([9], 'int32'), chunks(bytes, 8))).rejects.toMatchObject({ code: 'internal' })
  })
})

describe('maxJsonBytes', () => {
  it('is exact for elements of the widest text (the list structure is counted exactly)', () => {
    const widest: Array<[DType, (view: DataView, at: number) => void]> = [
      ['int8', (v, at) => v.setInt8(at, -128)],
      ['uint8', (v, at) => v.setUint8(at, 255)],
      ['int16', (v, at) => v.setInt16(at, -32768, true)],
      ['uint16', (v, at) => v.setUint16(at, 65535, true)],
      ['int32', (v, at) => v.setInt32(at, -(2 ** 31), true)],
      ['uint32', (v, at) => v.setUint32(at, 2 ** 32 - 1, true)],
      ['int64', (v, at) => v.setBigInt64(at, -(2n ** 63n), true)],
      ['uint64', (v, at) => v.setBigUint64(at, 2n ** 64n - 1n, true)],
      ['bool', (v, at) => v.setUint8(at, 0)],
      ['float16', (v, at) => v.setUint16(at, 0x8013, true)], // -1.13e-6, printed -0.00000113
      ['float32', (v, at) => v.setFloat32(at, -123456790000000000000, true)],
      ['bfloat16', (v, at) => v.setUint16(at, 0xe0ad, true)], // -1e20, printed with 21 digits
      ['float64', (v, at) => v.setFloat64(at, -0.0000012345678901234567, true)]
    ]
    for (const shape of [[], [1], [7], [3, 4], [2, 0, 3], [2, 3, 1, 2]]) {
      for (const [dtype, set] of widest) {
        const count = shape.reduce((a, b) => a * b, 1)
        const bytes = new Uint8Array(count * itemSize(dtype))
        const view = new DataView(bytes.buffer)
        for (let i = 0; i < count; i++) set(view, i * itemSize(dtype))
        expect(encodeJson(meta(shape, dtype), bytes).length, `${dtype} ${JSON.stringify(shape)}`).toBe(maxJsonBytes(meta(shape, dtype)))
      }
    }
  })

  it('bounds the text for every float16 and bfloat16 value and random data of every dtype', () => {
    const all = new Uint8Array(new Uint16Array(Array.from({ length: 65536 }, (_, b) => b).filter((b) => (b & 0x7c00) !== 0x7c00)).buffer)
    expect(encodeJson(meta([all.length / 2], 'float16'), all).length).toBeLessThanOrEqual(maxJsonBytes(meta([all.length / 2], 'float16')))
    const allBf = new Uint8Array(new Uint16Array(Array.from({ length: 65536 }, (_, b) => b).filter((b) => (b & 0x7f80) !== 0x7f80)).buffer)
    expect(encodeJson(meta([allBf.length / 2], 'bfloat16'), allBf).length).toBeLessThanOrEqual(maxJsonBytes(meta([allBf.length / 2], 'bfloat16')))
    for (const [d, dtype] of DTYPES.entries()) {
      const bytes = randomElements(dtype, 1000, d)
      expect(encodeJson(meta([10, 100], dtype), bytes).length).toBeLessThanOrEqual(maxJsonBytes(meta([10, 100], dtype)))
    }
  })

  it('needs no element data and rejects bad shapes', () => {
    expect(maxJsonBytes({ shape: [4096, 4096], dtype: 'float32', profile: 'mlx' })).toBeGreaterThan(4096 * 4096 * 22)
    expect(() => maxJsonBytes(meta([-1], 'float32'))).toThrow(expect.objectContaining({ code: 'invalid-shape' }))
  })
})

describe('encodeJsonAsync (issue 12: a free event loop)', () => {
  const shapes = fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 0, maxLength: 4 })
  it('is encodeJson byte for byte, for any shape and dtype', async () => {
    await fc.assert(fc.asyncProperty(shapes, fc.constantFrom(...DTYPES), fc.integer(), async (shape, dtype, seed) => {
      const count = shape.reduce((a, b) => a * b, 1)
      const bytes = randomElements(dtype, count, seed)
      expect(await encodeJsonAsync(meta(shape, dtype), bytes)).toBe(encodeJson(meta(shape, dtype), bytes))
    }), { numRuns: 300 })
  })

  it('encodeJsonBuffers: the same document as UTF-8 bytes, in pieces', async () => {
    await fc.assert(fc.asyncProperty(shapes, fc.constantFrom(...DTYPES), fc.integer(), async (shape, dtype, seed) => {
      const count = shape.reduce((a, b) => a * b, 1)
      const bytes = randomElements(dtype, count, seed)
      const parts = await encodeJsonBuffers(meta(shape, dtype), bytes)
      expect(Buffer.concat(parts).equals(Buffer.from(encodeJson(meta(shape, dtype), bytes), 'utf8'))).toBe(true)
    }), { numRuns: 200 })
    // A large document comes in many pieces (one per slice), not one.
    const big = await encodeJsonBuffers(meta([300, 1000], 'float64'), randomElements('float64', 300_000, 3))
    expect(big.length).toBeGreaterThan(10)
  })

  it('fails as encodeJson does (non-finite, wrong byte count)', async () => {
    const inf = new Uint8Array(new Float32Array([1, Infinity]).buffer)
    await expect(encodeJsonAsync(meta([2], 'float32'), inf)).rejects.toMatchObject({ code: 'not-acceptable' })
    await expect(encodeJsonAsync(meta([3], 'float32'), inf)).rejects.toMatchObject({ code: 'internal' })
  })

  it('encodes a million float64 elements in slices that leave the event loop free', async () => {
    const shape = [1000, 1000]
    const bytes = randomElements('float64', 1_000_000, 7)
    const state = { done: false }
    let maxGap = 0
    const watcher = (async () => {
      let last = performance.now()
      while (!state.done) {
        await new Promise((resolve) => setImmediate(resolve))
        const now = performance.now()
        maxGap = Math.max(maxGap, now - last)
        last = now
      }
    })()
    const started = performance.now()
    const text = await encodeJsonAsync(meta(shape, 'float64'), bytes)
    const took = performance.now() - started
    state.done = true
    await watcher
    expect(text).toBe(encodeJson(meta(shape, 'float64'), bytes))
    // Slices of ~4 ms (SLICE_MS, src/core/time-slice.ts); measured 70-90 ms max on a loaded 2-core machine (a major
    // garbage collection, preemption); encoded whole, the same document holds the loop 500-700 ms.
    expect(maxGap).toBeLessThan(150)
    expect(took).toBeGreaterThan(maxGap * 3)
  })
})
