import { describe, expect, it } from 'vitest'
import { DTYPES, itemSize, type DType } from '../../src/core/dtype.ts'
import { ERROR_CODES } from '../../src/core/errors.ts'
import { checkpointEncoding, checkpointEncodingSliced, MAX_HEADER_SIZE, safetensorsEncoding, type NamedTensor } from '../../src/formats/safetensors.ts'
import { python, toBase64 } from './python.ts'

/** Deterministic element bytes of tensor `t`, so a reader's view can be checked byte for byte. */
function tensorBytes (t: number, length: number): Uint8Array {
  const bytes = new Uint8Array(length)
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + t * 7 + 1) & 0xff
  return bytes
}

function file (header: Uint8Array, parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat([header, ...parts]))
}

interface Parsed {
  n: number
  keys: string[]
  entryKeys: string[][]
  metadata: Record<string, string> | null
  tensors: Record<string, { dtype: string, shape: number[], data_offsets: [number, number], data: string }>
}

/**
 * A reader written from the safetensors README with the Python standard library only
 * (struct + json), applying the reference reader's validation (tensor.rs): header size limit,
 * starts with '{', only trailing spaces, offsets contiguous from 0, sizes match, file length exact.
 */
const STDLIB_READER = `
import struct
SIZES = {'BOOL': 1, 'U8': 1, 'I8': 1, 'I16': 2, 'U16': 2, 'F16': 2, 'BF16': 2, 'I32': 4, 'U32': 4, 'F32': 4, 'F64': 8, 'I64': 8, 'U64': 8}
result = []
for encoded in input_:
    blob = base64.b64decode(encoded)
    (n,) = struct.unpack('<Q', blob[:8])
    assert n <= 100_000_000, 'header too large'
    text = blob[8:8 + n].decode('utf-8')
    assert text.startswith('{'), 'header must start with {'
    assert text == text.rstrip(' ') + ' ' * (len(text) - len(text.rstrip(' '))), 'only trailing spaces'
    pairs = json.loads(text, object_pairs_hook=lambda kv: kv)
    assert len(set(k for k, _ in pairs)) == len(pairs), 'duplicate keys'
    header = dict(pairs)
    metadata = header.pop('__metadata__', None)
    if metadata is not None:
        metadata = dict(metadata)
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items())
    buffer = blob[8 + n:]
    end = 0
    tensors = {}
    for name, entry in sorted(header.items(), key=lambda item: dict(item[1])['data_offsets']):
        entry = dict(entry)
        begin, stop = entry['data_offsets']
        assert begin == end, 'hole or overlap at ' + name
        count = 1
        for d in entry['shape']:
            count *= d
        assert stop - begin == count * SIZES[entry['dtype']], 'size of ' + name
        end = stop
        tensors[name] = dict(entry, data=base64.b64encode(buffer[begin:stop]).decode())
    assert end == len(buffer), 'file length must be 8 + N + last end'
    result.append({'n': n, 'keys': [k for k, _ in pairs], 'entryKeys': [[k for k, _ in v] for k, v in pairs if k != '__metadata__'],
                   'metadata': metadata, 'tensors': tensors})
print(json.dumps(result))
`

function readWithStdlib (files: Uint8Array[]): Parsed[] {
  return python<Parsed[]>(STDLIB_READER, files.map(toBase64))
}

const CODE: Record<DType, string> = {
  float32: 'F32',
  float16: 'F16',
  bfloat16: 'BF16',
  float64: 'F64',
  int8: 'I8',
  int16: 'I16',
  int32: 'I32',
  int64: 'I64',
  uint8: 'U8',
  uint16: 'U16',
  uint32: 'U32',
  uint64: 'U64',
  bool: 'BOOL'
}

describe('safetensors single tensor', () => {
  it('parses with the standard library for every dtype, with the header padded to 8', () => {
    const files = DTYPES.map((dtype, t) => {
      const encoding = safetensorsEncoding({ name: `w.${dtype}`, shape: [3, 2], dtype }, { format: 'mlx', seed: '42' })
      expect(encoding).toMatchObject({ format: 'safetensors', contentType: 'application/vnd.safetensors', fileExtension: '.safetensors' })
      expect(encoding.dataBytes).toBe(6 * itemSize(dtype))
      expect(encoding.header.length % 8).toBe(0)
      expect(encoding.totalBytes).toBe(encoding.header.length + encoding.dataBytes)
      return file(encoding.header, [tensorBytes(t, encoding.dataBytes)])
    })
    const parsed = readWithStdlib(files)
    for (const [t, dtype] of DTYPES.entries()) {
      const got = parsed[t] as Parsed
      expect(got.keys).toEqual(['__metadata__', `w.${dtype}`])
      expect(got.entryKeys).toEqual([['dtype', 'shape', 'data_offsets']])
      expect(got.metadata).toEqual({ format: 'mlx', seed: '42' })
      expect(got.tensors[`w.${dtype}`]).toEqual({
        dtype: CODE[dtype], shape: [3, 2], data_offsets: [0, 6 * itemSize(dtype)], data: toBase64(tensorBytes(t, 6 * itemSize(dtype)))
      })
    }
  })

  it('writes the minimal file of the safetensors tests, padded as the reference writer pads it', () => {
    // The Rust tests' hand-made file has N = 60 ('<'); the writer (`prepare`) pads to 64 ('@').
    const { header } = safetensorsEncoding({ name: 'test', shape: [2, 2], dtype: 'int32' })
    expect(Buffer.from(header).toString('latin1'))
      .toBe('@\0\0\0\0\0\0\0{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}    ')
  })

  it('writes scalars, empty tensors and non-ASCII names and metadata', () => {
    const encoding = checkpointEncoding([
      { name: 'scalar', shape: [], dtype: 'float32' },
      { name: 'empty', shape: [4, 0], dtype: 'float16' },
      { name: 'poids.é/ü', shape: [1], dtype: 'bool' }
    ], { note: 'initialisé 初期化', quote: '"\\\n' })
    const parsed = readWithStdlib([file(encoding.header, [tensorBytes(0, 4), tensorBytes(2, 1)])])[0] as Parsed
    expect(parsed.metadata).toEqual({ note: 'initialisé 初期化', quote: '"\\\n' })
    expect(parsed.tensors.scalar).toMatchObject({ shape: [], data_offsets: [0, 4] })
    expect(parsed.tensors.empty).toMatchObject({ shape: [4, 0], data_offsets: [4, 4] })
    expect(parsed.tensors['poids.é/ü']).toMatchObject({ dtype: 'BOOL', data_offsets: [4, 5] })
  })
})

describe('safetensors checkpoints', () => {
  const specs: NamedTensor[] = [
    { name: 'layers.0.weight', shape: [4, 3], dtype: 'float32' },
    { name: 'layers.0.bias', shape: [4], dtype: 'bfloat16' },
    { name: 'embed', shape: [5, 2], dtype: 'float16' },
    { name: 'steps', shape: [], dtype: 'int64' },
    { name: 'mask', shape: [3], dtype: 'bool' },
    { name: 'table', shape: [2, 2], dtype: 'float64' }
  ]

  it('keeps the given order, contiguous offsets and absolute byte offsets', () => {
    const encoding = checkpointEncoding(specs, { format: 'pt' })
    let offset = 0
    for (const [t, placed] of encoding.tensors.entries()) {
      const size = (specs[t] as NamedTensor).shape.reduce((a, b) => a * b, 1) * itemSize(placed.dtype)
      expect(placed).toMatchObject({ ...specs[t], itemSize: itemSize(placed.dtype), dataOffsets: [offset, offset + size] })
      expect(placed.byteOffset).toBe(encoding.header.length + offset)
      offset += size
    }
    expect(encoding.dataBytes).toBe(offset)
    const parts = encoding.tensors.map((placed, t) => tensorBytes(t, placed.dataOffsets[1] - placed.dataOffsets[0]))
    const bytes = file(encoding.header, parts)
    const parsed = readWithStdlib([bytes])[0] as Parsed
    // JSON key order: metadata first, then the tensors in byte order.
    expect(parsed.keys).toEqual(['__metadata__', ...specs.map((s) => s.name)])
    expect(parsed.n).toBe(encoding.header.length - 8)
    for (const [t, placed] of encoding.tensors.entries()) {
      const entry = parsed.tensors[placed.name]
      expect(entry).toEqual({
        dtype: CODE[placed.dtype], shape: placed.shape, data_offsets: [...placed.dataOffsets], data: toBase64(parts[t] as Uint8Array)
      })
      // The byte offset locates the tensor in the whole file.
      expect(toBase64(bytes.subarray(placed.byteOffset, placed.byteOffset + (parts[t] as Uint8Array).length))).toBe(entry?.data)
    }
  })

  it('reads back with numpy at each tensor\'s offset', () => {
    const encoding = checkpointEncoding(specs)
    const values = [
      new Float32Array([0.5, -1, 2.25, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
      new Uint16Array([0x3f80, 0xc000, 0x0000, 0x7f7f]), // bfloat16 1, -2, 0, max
      new Uint16Array([0x3c00, 0xbc00, 0x3800, 0, 0x7bff, 1, 2, 3, 4, 5]),
      new BigInt64Array([-(2n ** 62n)]),
      new Uint8Array([1, 0, 1]),
      new Float64Array([Math.PI, -Math.E, 1e300, -5e-324])
    ]
    const bytes = file(encoding.header, values.map((v) => new Uint8Array(v.buffer)))
    const got = python<unknown[]>(`
import struct, numpy as np
blob = base64.b64decode(input_)
(n,) = struct.unpack('<Q', blob[:8])
header = json.loads(blob[8:8 + n])
codes = {'F32': '<f4', 'F16': '<f2', 'F64': '<f8', 'I64': '<i8', 'BOOL': '|b1', 'BF16': '<u2'}
out = []
for name, entry in header.items():
    begin, end = entry['data_offsets']
    array = np.frombuffer(blob[8 + n + begin:8 + n + end], dtype=codes[entry['dtype']]).reshape(entry['shape'])
    if entry['dtype'] == 'BF16':
        # bfloat16 is the top half of a float32.
        array = (array.astype(np.uint32) << 16).view(np.float32)
    out.append([str(v) for v in array.ravel().tolist()] if entry['dtype'] == 'I64' else array.astype(np.float64).tolist())
print(json.dumps(out))
`, toBase64(bytes))
    expect(got).toEqual([
      [[0.5, -1, 2.25], [3, 4, 5], [6, 7, 8], [9, 10, 11]],
      [1, -2, 0, 3.3895313892515355e38],
      [[1, -1], [0.5, 0], [65504, 2 ** -24], [2 * 2 ** -24, 3 * 2 ** -24], [4 * 2 ** -24, 5 * 2 ** -24]],
      [String(-(2n ** 62n))],
      [1, 0, 1],
      [[Math.PI, -Math.E], [1e300, -5e-324]]
    ])
  })

  it('allows an empty checkpoint', () => {
    const encoding = checkpointEncoding([], {})
    expect(encoding.dataBytes).toBe(0)
    const parsed = readWithStdlib([encoding.header])[0] as Parsed
    expect(parsed).toMatchObject({ keys: ['__metadata__'], metadata: {}, tensors: {} })
  })

  it('rejects empty, duplicate and reserved names as invalid-manifest', () => {
    const base = { shape: [1], dtype: 'float32' } as const
    const reject = (tensors: NamedTensor[], field: string): void => {
      expect(() => checkpointEncoding(tensors)).toThrow(expect.objectContaining({ code: 'invalid-manifest', field }))
    }
    reject([{ ...base, name: '' }], '/tensors/0/name')
    reject([{ ...base, name: 'a' }, { ...base, name: 'b' }, { ...base, name: 'a' }], '/tensors/2/name')
    reject([{ ...base, name: '__metadata__' }], '/tensors/0/name')
    reject([{ ...base, name: 'bad\ud800' }], '/tensors/0/name')
    reject([{ ...base, name: 42 as unknown as string }], '/tensors/0/name')
    // Domain errors carry a code; the code's status is what the HTTP layer answers.
    expect(ERROR_CODES['invalid-manifest'].status).toBe(400)
  })

  it('rejects metadata that is not a string-to-string map', () => {
    expect(() => checkpointEncoding([], { nested: { a: 1 } as unknown as string }))
      .toThrow(expect.objectContaining({ code: 'invalid-manifest', field: '/metadata/nested' }))
    expect(() => checkpointEncoding([], { 'a/b': '\udc00' }))
      .toThrow(expect.objectContaining({ code: 'invalid-manifest', field: '/metadata/a~1b' }))
  })

  it('enforces the 100 MB header limit of the reference reader, to the byte', () => {
    // {"__metadata__":{"k":"<value>"}} is 25 bytes of JSON around the value.
    const fits = checkpointEncoding([], { k: 'x'.repeat(MAX_HEADER_SIZE - 25) })
    expect(fits.header.length - 8).toBe(MAX_HEADER_SIZE)
    expect(() => checkpointEncoding([], { k: 'x'.repeat(MAX_HEADER_SIZE - 24) }))
      .toThrow(expect.objectContaining({ code: 'invalid-manifest' }))
  })

  it('rejects bad shapes with the tensor as the field', () => {
    expect(() => checkpointEncoding([{ name: 'a', shape: [1], dtype: 'int8' }, { name: 'b', shape: [-2], dtype: 'int8' }]))
      .toThrow(expect.objectContaining({ code: 'invalid-shape', field: '/tensors/1/shape' }))
  })
})

describe('checkpointEncodingSliced (issue 12: a free event loop)', () => {
  it('gives checkpointEncoding\'s header, offsets and errors', async () => {
    const tensors: NamedTensor[] = Array.from({ length: 3000 }, (_, i) => ({ name: `layer.${i}.weight`, shape: [i % 7, 3], dtype: i % 3 === 0 ? 'float16' : 'float32' }))
    const metadata = { format: 'pt', 'tensor_init.manifest': 'x'.repeat(1000) }
    const sliced = await checkpointEncodingSliced(tensors, metadata)
    const whole = checkpointEncoding(tensors, metadata)
    expect(Buffer.from(sliced.header).equals(Buffer.from(whole.header))).toBe(true)
    expect(sliced.tensors).toEqual(whole.tensors)
    expect(sliced.totalBytes).toBe(whole.totalBytes)
    const duplicate: NamedTensor[] = [...tensors, { name: 'layer.7.weight', shape: [1], dtype: 'float32' }]
    await expect(checkpointEncodingSliced(duplicate)).rejects.toMatchObject({ code: 'invalid-manifest', field: '/tensors/3000/name' })
    expect(() => checkpointEncoding(duplicate)).toThrow(expect.objectContaining({ code: 'invalid-manifest', field: '/tensors/3000/name' }))
  })
})
