import { closeSync, fstatSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs'
import { endianness } from 'node:os'
import { join } from 'node:path'
import { threadId } from 'node:worker_threads'
import { npyHeaderText, wrapNpyHeader } from '../../formats/npy.ts'
import type { Mx, MxArray } from './mlx-module.ts'

/**
 * Moving bytes between JS and MLX. node-mlx 0.0.7 has no typed-array constructor and no buffer
 * accessor (its `array` takes nested JS lists only), and `tolist()` costs about 0.3 s per million
 * values. `mx.save` writes the raw buffer after a short .npy header and `mx.load` reads one back,
 * so a file in a RAM-backed directory (/dev/shm) is the fast route (spec, top box): measured here
 * about 3 ms per MiB out (save + read into a fresh buffer) and the same in.
 *
 * Each file lives only for one call and is unlinked at once; names carry the thread id and a
 * counter, so workers sharing the directory never collide (spec pitfall 17).
 */

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]

if (endianness() !== 'LE') throw new Error('the MLX engine assumes a little-endian host (as MLX does)')

export class NpyExchange {
  readonly #dir: string
  #counter = 0

  constructor (dir: string) {
    this.#dir = dir
  }

  #path (): string {
    // mx.save appends ".npy" unless the name already ends with it.
    return join(this.#dir, `t${threadId}-${process.pid}-${this.#counter++}.npy`)
  }

  /**
   * The raw little-endian bytes of `array` (C order), in a fresh ArrayBuffer of exactly that size,
   * so it can be transferred to another thread. Evaluates the array.
   */
  bytesOf (mx: Mx, array: MxArray): Uint8Array {
    // MLX writes a 1-D array as is; flattening first keeps a multi-dim view in C order (0.13 marks
    // some contiguous arrays fortran_order, and the data would then be column-major).
    const flat = array.ndim === 1 ? array : mx.flatten(array)
    const expected = flat.size * flat.itemsize
    if (expected === 0) return new Uint8Array(0)
    const path = this.#path()
    mx.save(path, flat)
    const fd = openSync(path, 'r')
    try {
      unlinkSync(path)
      const size = fstatSync(fd).size
      const prefix = new Uint8Array(12)
      readFully(fd, prefix, 0)
      for (let i = 0; i < MAGIC.length; i++) {
        if (prefix[i] !== MAGIC[i]) throw new Error(`mx.save wrote no NPY magic at ${path}`)
      }
      const view = new DataView(prefix.buffer)
      const major = prefix[6]
      const dataOffset = major === 1 ? 10 + view.getUint16(8, true) : 12 + view.getUint32(8, true)
      if (size - dataOffset !== expected) {
        throw new Error(`mx.save wrote ${size - dataOffset} data bytes, expected ${expected}`)
      }
      const out = new Uint8Array(expected)
      readFully(fd, out, dataOffset)
      return out
    } finally {
      closeSync(fd)
    }
  }

  /** An evaluated MLX array holding `values` exactly (uint32 or uint16, 1-D). */
  arrayOf (mx: Mx, values: Uint32Array | Uint16Array): MxArray {
    const dtype = values instanceof Uint32Array ? 'uint32' : 'uint16'
    const header = wrapNpyHeader(npyHeaderText([values.length], dtype))
    const path = this.#path()
    const fd = openSync(path, 'w')
    try {
      writeFully(fd, header)
      writeFully(fd, new Uint8Array(values.buffer, values.byteOffset, values.byteLength))
    } finally {
      closeSync(fd)
    }
    try {
      const array = mx.load(path)
      // mx.load is lazy: the file is read when the array is evaluated, so evaluate before unlinking.
      mx.eval(array)
      return array
    } finally {
      unlinkSync(path)
    }
  }
}

function readFully (fd: number, into: Uint8Array, position: number): void {
  let done = 0
  while (done < into.length) {
    const n = readSync(fd, into, done, into.length - done, position + done)
    if (n === 0) throw new Error('unexpected end of an MLX .npy file')
    done += n
  }
}

function writeFully (fd: number, bytes: Uint8Array): void {
  let done = 0
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done)
}
