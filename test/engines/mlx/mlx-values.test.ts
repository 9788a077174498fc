import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Mx } from '../../../src/engines/mlx/mlx-api.ts'
import { loadMlx } from '../../../src/engines/mlx/mlx-module.ts'
import { keyArray, uint32Scalar } from '../../../src/engines/mlx/mlx-values.ts'
import { NpyExchange } from '../../../src/engines/mlx/npy-exchange.ts'
import { keyFromSeed, splitKey } from '../../../src/random/keys.ts'
import { describeOracle } from '../../support/mlx-oracle.ts'

let mx: Mx
let dir: string
let io: NpyExchange

describeOracle('exact values between JS and MLX', () => {
  beforeAll(() => {
    mx = loadMlx().mx
    dir = mkdtempSync(join(tmpdir(), 'tensor-init-mlx-test-'))
    io = new NpyExchange(dir)
  })
  afterAll(() => { rmSync(dir, { recursive: true, force: true }) })

  describe('keyArray and uint32Scalar', () => {
    it('keyArray holds the key words exactly, where mx.array([...], uint32) would round them through float32', () => {
      const key: [number, number] = [0xd1f194b6, 0xb52a1b0b]
      expect(keyArray(mx, key).tolist()).toEqual(key)
      // The pitfall it avoids (spec pitfall 11).
      expect(mx.array([...key], mx.uint32).tolist()).not.toEqual(key)
    })

    it('keyArray keys draw what MLX draws with its own key arrays', () => {
      // key(2^32 + 7) split: row 1 is a key no JS number seed gives (spec (e)).
      const own = mx.random.split(mx.random.key(4294967303)).index(1)
      const built = keyArray(mx, splitKey(keyFromSeed(4294967303n))[1]!)
      expect(built.tolist()).toEqual(own.tolist())
      const a = mx.random.normal([33], mx.float16, 0, 1, built)
      const b = mx.random.normal([33], mx.float16, 0, 1, own)
      expect(mx.arrayEqual(a, b).item()).toBe(true)
    })

    it('uint32Scalar is exact over the whole uint32 range and rejects the rest', () => {
      for (const v of [0, 1, 16777217, 0x7fffffff, 0x80000001, 0xffffffff]) expect(uint32Scalar(mx, v).item()).toBe(v)
      expect(() => uint32Scalar(mx, 2 ** 32)).toThrow(RangeError)
      expect(() => uint32Scalar(mx, -1)).toThrow(RangeError)
    })
  })

  describe('NpyExchange', () => {
    it('carries uint32 and uint16 values into MLX exactly', () => {
      const words = Uint32Array.from([0, 1, 16777217, 0xfffffff0, 0xffffffff])
      expect(io.arrayOf(mx, words).tolist()).toEqual([...words])
      const halves = Uint16Array.from([0, 1, 65535, 32769])
      const loaded = io.arrayOf(mx, halves)
      expect(loaded.dtype).toBe(mx.uint16)
      expect(loaded.tolist()).toEqual([...halves])
    })

    it('reads an array\'s bytes into a buffer of exactly their size, views and multi-dim arrays in C order', () => {
      const m = mx.arange(0, 12, 1, mx.float32).reshape([3, 4])
      const bytes = io.bytesOf(mx, m.astype(mx.bfloat16))
      expect(bytes.byteLength).toBe(24)
      expect(bytes.buffer.byteLength).toBe(24)
      expect([...new Uint16Array(bytes.buffer)]).toEqual([0, 0x3f80, 0x4000, 0x4040, 0x4080, 0x40a0, 0x40c0, 0x40e0, 0x4100, 0x4110, 0x4120, 0x4130])
      const slice = io.bytesOf(mx, mx.arange(0, 10, 1, mx.float32).index(mx.Slice(3, 7)))
      expect([...new Float32Array(slice.buffer)]).toEqual([3, 4, 5, 6])
      expect(io.bytesOf(mx, mx.zeros([0], mx.float32))).toHaveLength(0)
    })
  })
})
