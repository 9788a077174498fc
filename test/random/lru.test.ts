import { describe, expect, it } from 'vitest'
import { LruCache } from '../../src/random/lru.ts'

describe('LruCache', () => {
  it('keeps at most max entries, dropping the least recently used', () => {
    const cache = new LruCache<string, number>(2)
    cache.set('a', 1)
    cache.set('b', 2)
    expect(cache.get('a')).toBe(1) // a is now the most recent
    cache.set('c', 3)
    expect(cache.get('b')).toBeUndefined()
    expect([cache.get('a'), cache.get('c'), cache.size, cache.weight]).toEqual([1, 3, 2, 2])
    expect(() => new LruCache(0)).toThrow(RangeError)
  })

  it('with a weight, keeps entries weighing at most max together; an entry heavier than max is not kept', () => {
    const cache = new LruCache<string, Uint8Array>(10, (bytes) => bytes.byteLength)
    cache.set('a', new Uint8Array(4))
    cache.set('b', new Uint8Array(4))
    expect(cache.weight).toBe(8)
    cache.set('c', new Uint8Array(4))
    expect(cache.get('a')).toBeUndefined()
    expect(cache.weight).toBe(8)
    cache.set('b', new Uint8Array(1)) // replacing an entry replaces its weight
    expect(cache.weight).toBe(5)
    cache.set('big', new Uint8Array(11))
    expect(cache.get('big')).toBeUndefined()
    expect(cache.fits(10)).toBe(true)
    expect(cache.fits(11)).toBe(false)
    const none = new LruCache<string, Uint8Array>(0, (bytes) => bytes.byteLength)
    none.set('x', new Uint8Array(1))
    expect(none.size).toBe(0)
  })
})
