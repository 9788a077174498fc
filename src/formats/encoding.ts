/** The binary representations (design §2). JSON is separate: its size is not known up front. */
export const BINARY_FORMATS = ['raw', 'npy', 'safetensors'] as const

export type BinaryFormat = typeof BINARY_FORMATS[number]

/**
 * Media types (node-stack-notes §2.4): none of the three is IANA-registered; `application/x-npy`
 * is the de-facto npy type, `application/vnd.safetensors` an unregistered vendor-tree name.
 */
export const CONTENT_TYPES: Record<BinaryFormat, string> = {
  raw: 'application/octet-stream',
  npy: 'application/x-npy',
  safetensors: 'application/vnd.safetensors'
}

export const FILE_EXTENSIONS: Record<BinaryFormat, string> = {
  raw: '.bin',
  npy: '.npy',
  safetensors: '.safetensors'
}

/**
 * A binary representation described before any element exists: the body is exactly
 * `header`, then `dataBytes` bytes of little-endian C-order elements, then `trailer`.
 * Everything the HTTP layer needs up front (Content-Length, Content-Range, HEAD) derives from it.
 */
export interface Encoding {
  format: BinaryFormat
  contentType: string
  header: Uint8Array
  trailer: Uint8Array
  dataBytes: number
  /** header.length + dataBytes + trailer.length: the Content-Length of a full response. */
  totalBytes: number
  /** With the dot, for Content-Disposition filenames. */
  fileExtension: string
}

export function makeEncoding (format: BinaryFormat, header: Uint8Array, dataBytes: number, trailer = new Uint8Array(0)): Encoding {
  return {
    format,
    contentType: CONTENT_TYPES[format],
    header,
    trailer,
    dataBytes,
    totalBytes: header.length + dataBytes + trailer.length,
    fileExtension: FILE_EXTENSIONS[format]
  }
}
