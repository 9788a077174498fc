import { describe, expect, it } from 'vitest'
import * as formats from '../../src/formats/index.ts'

describe('binaryEncoding', () => {
  const tensor = { name: 'weight', shape: [4, 3], dtype: 'bfloat16' } as const

  it('dispatches to the encoder of each format', () => {
    expect(formats.binaryEncoding('raw', tensor)).toEqual(formats.rawEncoding(tensor.shape, tensor.dtype))
    expect(formats.binaryEncoding('npy', tensor)).toEqual(formats.npyEncoding(tensor.shape, tensor.dtype))
    expect(formats.binaryEncoding('safetensors', tensor, { format: 'mlx' })).toEqual(formats.safetensorsEncoding(tensor, { format: 'mlx' }))
  })

  it('writes the name and metadata into safetensors only: raw and npy have no place for them', () => {
    const metadata = { format: 'pt', 'tensor_init.seed': '1' }
    expect(formats.binaryEncoding('raw', tensor, metadata)).toEqual(formats.binaryEncoding('raw', { ...tensor, name: 'other' }))
    expect(formats.binaryEncoding('npy', tensor, metadata)).toEqual(formats.binaryEncoding('npy', { ...tensor, name: 'other' }))
    const named = formats.binaryEncoding('safetensors', tensor, metadata)
    const header = Buffer.from(named.header).toString('utf8')
    expect(header).toContain('"weight":{"dtype":"BF16","shape":[4,3]')
    expect(header).toContain('"__metadata__":{"format":"pt","tensor_init.seed":"1"}')
    expect(formats.binaryEncoding('safetensors', { ...tensor, name: 'other' }, metadata).header).not.toEqual(named.header)
  })

  it('describes each format with its media type, extension and sizes', () => {
    for (const format of formats.BINARY_FORMATS) {
      const encoding = formats.binaryEncoding(format, tensor)
      expect(encoding.format).toBe(format)
      expect(encoding.contentType).toBe(formats.CONTENT_TYPES[format])
      expect(encoding.fileExtension).toBe(formats.FILE_EXTENSIONS[format])
      expect(encoding.dataBytes).toBe(24)
      expect(encoding.totalBytes).toBe(encoding.header.length + 24 + encoding.trailer.length)
    }
    expect(formats.CONTENT_TYPES).toEqual({ raw: 'application/octet-stream', npy: 'application/x-npy', safetensors: 'application/vnd.safetensors' })
    expect(formats.binaryEncoding('raw', tensor).header.length).toBe(0)
  })
})
