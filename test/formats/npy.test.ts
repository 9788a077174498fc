import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { DTYPES, itemSize, type DType } from '../../src/core/dtype.ts'
import { npyEncoding, npyHeaderText, wrapNpyHeader } from '../../src/formats/npy.ts'
import { fromBase64, python, toBase64 } from './python.ts'

const NUMPY_DTYPE: Record<DType, string> = {
  float32: 'float32',
  float16: 'float16',
  // NumPy has no bfloat16: compare against uint16, whose header differs only in descr.
  bfloat16: 'uint16',
  float64: 'float64',
  int8: 'int8',
  int16: 'int16',
  int32: 'int32',
  int64: 'int64',
  uint8: 'uint8',
  uint16: 'uint16',
  uint32: 'uint32',
  uint64: 'uint64',
  bool: 'bool'
}

/** numpy's own header bytes for np.zeros(shape, dtype), written by numpy.lib.format.write_array. */
function numpyHeaders (cases: Array<{ shape: number[], dtype: DType }>): Uint8Array[] {
  const out = python<string[]>(`
import io, numpy as np
result = []
for case in input_:
    buffer = io.BytesIO()
    array = np.zeros(tuple(case['shape']), dtype=case['dtype'])
    format.write_array(buffer, array)
    result.append(base64.b64encode(buffer.getvalue()[:len(buffer.getvalue()) - array.nbytes]).decode())
print(json.dumps(result))
`, cases.map(({ shape, dtype }) => ({ shape, dtype: NUMPY_DTYPE[dtype] })))
  return out.map(fromBase64)
}

const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1')

describe('npy header', () => {
  it('matches numpy.lib.format.write_array byte for byte for every dtype and many shapes', () => {
    const shapes = [[], [0], [1], [5], [2, 3], [3, 0, 2], [1, 2, 3, 4], [10, 1], [999, 7], [12345, 3, 2],
      [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]]
    const cases = DTYPES.flatMap((dtype) => shapes.map((shape) => ({ shape, dtype })))
    const expected = numpyHeaders(cases)
    for (const [i, { shape, dtype }] of cases.entries()) {
      let reference = expected[i] as Uint8Array
      if (dtype === 'bfloat16') {
        // Same length, same position: only the descr text differs ('<u2' -> '<V2', as MLX writes).
        reference = new Uint8Array(Buffer.from(latin1(reference).replace("'descr': '<u2'", "'descr': '<V2'"), 'latin1'))
      }
      const encoding = npyEncoding(shape, dtype)
      expect(latin1(encoding.header), `${dtype} ${JSON.stringify(shape)}`).toBe(latin1(reference))
      expect(encoding.header.length % 64).toBe(0)
    }
  })

  it('writes the documented 128-byte prefix for np.zeros((2,3), "<f4")', () => {
    const header = npyEncoding([2, 3], 'float32').header
    expect(header.length).toBe(128)
    const text = latin1(header)
    expect(text.slice(0, 10)).toBe('\x93NUMPY\x01\x00v\x00')
    expect(text.slice(10)).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(2, 3\), \} +\n$/)
  })

  it('matches numpy for huge dimensions (no array allocated: numpy header writer on the dict)', () => {
    const shapes = [[2 ** 50 + 3], [123456789012, 2], [4294967296, 65536], [1, 2 ** 49]]
    const expected = python<string[]>(`
import io, warnings
result = []
for shape in input_:
    buffer = io.BytesIO()
    format._write_array_header(buffer, {'descr': '<f4', 'fortran_order': False, 'shape': tuple(shape)}, None)
    result.append(base64.b64encode(buffer.getvalue()).decode())
print(json.dumps(result))
`, shapes)
    for (const [i, shape] of shapes.entries()) {
      expect(latin1(npyEncoding(shape, 'float32').header)).toBe(latin1(fromBase64(expected[i] as string)))
    }
  })

  it('switches to format 2.0 exactly when numpy does (header longer than 65535 bytes)', () => {
    // Ranks this large cannot be arrays (NumPy caps ndim at 64), so compare the header wrapper alone.
    const ranks = [21800, 21830, 21840, 21900, 30000]
    const expected = python<string[]>(`
import io, warnings
result = []
for rank in input_:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # "Stored array in format 2.0"
        format._write_array_header(buffer, {'descr': '<f4', 'fortran_order': False, 'shape': (1,) * rank}, None)
    result.append(base64.b64encode(buffer.getvalue()).decode())
print(json.dumps(result))
`, ranks)
    const versions = new Set<number>()
    for (const [i, rank] of ranks.entries()) {
      const ours = wrapNpyHeader(npyHeaderText(new Array<number>(rank).fill(1), 'float32'))
      const theirs = fromBase64(expected[i] as string)
      versions.add(ours[6] as number)
      expect(ours.length).toBe(theirs.length)
      expect(Buffer.from(ours).equals(Buffer.from(theirs)), `rank ${rank}`).toBe(true)
    }
    // The ranks straddle the boundary: both versions were exercised.
    expect([...versions].sort()).toEqual([1, 2])
  })

  it('formats Python tuples: () for scalars, a trailing comma for one dimension', () => {
    expect(npyHeaderText([], 'float32')).toBe("{'descr': '<f4', 'fortran_order': False, 'shape': (), }")
    expect(npyHeaderText([7], 'bool')).toMatch(/'shape': \(7,\), \} {20}$/)
    expect(npyHeaderText([7, 8], 'bfloat16')).toMatch(/^\{'descr': '<V2', .*'shape': \(7, 8\), \}/)
  })

  it('describes the sizes up front', () => {
    const encoding = npyEncoding([3, 5], 'int64')
    expect(encoding).toMatchObject({ format: 'npy', contentType: 'application/x-npy', fileExtension: '.npy', dataBytes: 120 })
    expect(encoding.totalBytes).toBe(encoding.header.length + 120)
    expect(encoding.trailer.length).toBe(0)
  })

  it('rejects shapes that are not non-negative integers', () => {
    expect(() => npyEncoding([2, -1], 'float32')).toThrow(expect.objectContaining({ code: 'invalid-shape' }))
    expect(() => npyEncoding([2.5], 'float32')).toThrow(expect.objectContaining({ code: 'invalid-shape' }))
    expect(() => npyEncoding([2 ** 40, 2 ** 20], 'float64')).toThrow(expect.objectContaining({ code: 'tensor-too-large' }))
  })
})

describe('npy files read back with numpy.load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tensor-init-npy-'))
  afterAll(() => { rmSync(dir, { recursive: true, force: true }) })

  function randomBytes (count: number, dtype: DType): Uint8Array {
    const bytes = new Uint8Array(count * itemSize(dtype))
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 97 + 13) & 0xff
    // numpy reads bool bytes other than 0/1 back as the same bytes, but keep them canonical.
    if (dtype === 'bool') for (let i = 0; i < bytes.length; i++) bytes[i] = (bytes[i] as number) & 1
    return bytes
  }

  it('gives the same shape, dtype and bytes for every dtype (bfloat16 as |V2)', () => {
    const shapes = [[], [0], [7], [3, 4], [2, 3, 5]]
    const cases = DTYPES.flatMap((dtype) => shapes.map((shape, i) => {
      const encoding = npyEncoding(shape, dtype)
      const data = randomBytes(encoding.dataBytes / itemSize(dtype), dtype)
      const path = join(dir, `${dtype}-${i}.npy`)
      const file = new Uint8Array(encoding.totalBytes)
      file.set(encoding.header, 0)
      file.set(data, encoding.header.length)
      writeFileSync(path, file)
      return { path, shape, dtype, data: toBase64(data) }
    }))
    const loaded = python<Array<{ shape: number[], descr: string, data: string, contiguous: boolean }>>(`
import numpy as np
result = []
for case in input_:
    array = np.load(case['path'])
    result.append({'shape': list(array.shape), 'descr': array.dtype.str, 'data': base64.b64encode(array.tobytes()).decode(),
                   'contiguous': bool(array.flags.c_contiguous)})
print(json.dumps(result))
`, cases)
    for (const [i, { shape, dtype, data }] of cases.entries()) {
      const got = loaded[i]
      const descr = { bfloat16: '|V2', float16: '<f2', float32: '<f4', float64: '<f8', int8: '|i1', int16: '<i2', int32: '<i4', int64: '<i8', uint8: '|u1', uint16: '<u2', uint32: '<u4', uint64: '<u8', bool: '|b1' }[dtype]
      expect(got, `${dtype} ${JSON.stringify(shape)}`).toEqual({ shape, descr, data, contiguous: true })
    }
  })

  it('gives the same values (float32 and int64 through tolist)', () => {
    const values = [0, -0.5, 1.5, 3.4028234663852886e38, 1e-45, -2]
    const f32 = npyEncoding([2, 3], 'float32')
    const f32Path = join(dir, 'values-f32.npy')
    writeFileSync(f32Path, Buffer.concat([f32.header, new Uint8Array(new Float32Array(values.map(Math.fround)).buffer)]))
    const i64 = npyEncoding([3], 'int64')
    const i64Path = join(dir, 'values-i64.npy')
    writeFileSync(i64Path, Buffer.concat([i64.header, new Uint8Array(new BigInt64Array([-(2n ** 63n), 2n ** 53n + 1n, 42n]).buffer)]))
    const [floats, ints] = python<[number[][], string[]]>(`
import numpy as np
print(json.dumps([np.load(input_[0]).astype(np.float64).tolist(), [str(v) for v in np.load(input_[1]).tolist()]]))
`, [f32Path, i64Path])
    expect(floats).toEqual([values.slice(0, 3), values.slice(3)].map((row) => row.map(Math.fround)))
    expect(ints).toEqual([String(-(2n ** 63n)), String(2n ** 53n + 1n), '42'])
  })
})
