import { describe, expect, test } from 'vitest'
import { useApp } from '../support/helper.ts'

// 1000 float32 elements in 64-element chunks: a range's cost is visible in engine.elementsComputed.
const getApp = useApp({ inline: { chunkBytes: 256 } })
const URL = '/v1/tensors/uniform?shape=1000&seed=9'

async function full (format: string): Promise<{ body: Buffer, etag: string }> {
  const res = await getApp().app.inject(`${URL}&format=${format}`)
  return { body: res.rawPayload, etag: res.headers.etag as string }
}

describe('ETag and If-None-Match', () => {
  test('the ETag is stable, differs per format, and If-None-Match answers 304 with the caching fields', async () => {
    const { app } = getApp()
    const raw = await full('raw')
    expect((await full('raw')).etag).toBe(raw.etag)
    expect(new Set([raw.etag, (await full('npy')).etag, (await full('safetensors')).etag]).size).toBe(3)
    for (const inm of [raw.etag, `W/${raw.etag}`, `"nope", ${raw.etag}`, '*']) {
      const res = await app.inject({ url: `${URL}&format=raw`, headers: { 'if-none-match': inm } })
      expect(res.statusCode, inm).toBe(304)
      expect(res.body).toBe('')
      expect(res.headers).toMatchObject({ etag: raw.etag, 'cache-control': 'public, max-age=31536000, immutable', vary: 'Accept' })
      // §15.4.5: no representation metadata beyond the caching fields.
      expect(res.headers['content-type']).toBeUndefined()
      expect(res.headers['x-tensor-shape']).toBeUndefined()
    }
    const miss = await app.inject({ url: `${URL}&format=raw`, headers: { 'if-none-match': '"other"' } })
    expect(miss.statusCode).toBe(200)
  })

  test('a 304 computes nothing', async () => {
    const { app, engine } = getApp()
    const { etag } = await full('npy')
    const before = engine.chunksComputed
    await app.inject({ url: `${URL}&format=npy`, headers: { 'if-none-match': etag } })
    expect(engine.chunksComputed).toBe(before)
  })
})

describe('If-Match (RFC 9110 §13.1.1)', () => {
  test('a current tag or * lets the request through; anything else is a 412 problem that computes nothing', async () => {
    const { app, engine } = getApp()
    const { etag, body } = await full('raw')
    for (const im of [etag, `"other", ${etag}`, '*']) {
      const res = await app.inject({ url: `${URL}&format=raw`, headers: { 'if-match': im } })
      expect(res.statusCode, im).toBe(200)
      expect(res.rawPayload.equals(body)).toBe(true)
    }
    const before = engine.chunksComputed
    // W/ tags never match (strong comparison); unparseable fields match nothing.
    for (const im of ['"other"', `W/${etag}`, 'garbage']) {
      const res = await app.inject({ url: `${URL}&format=raw`, headers: { 'if-match': im } })
      expect(res.statusCode, im).toBe(412)
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(res.json()).toMatchObject({ code: 'precondition-failed', field: '/headers/if-match' })
      expect(res.headers.etag).toBeUndefined()
    }
    expect(engine.chunksComputed).toBe(before)
  })

  test('is evaluated before If-None-Match (§13.2.2), for HEAD and the JSON representation too', async () => {
    const { app } = getApp()
    const { etag } = await full('raw')
    const both = await app.inject({ url: `${URL}&format=raw`, headers: { 'if-match': '"other"', 'if-none-match': etag } })
    expect(both.statusCode).toBe(412)
    const head = await app.inject({ method: 'HEAD', url: `${URL}&format=raw`, headers: { 'if-match': '"other"' } })
    expect(head.statusCode).toBe(412)
    const jsonUrl = '/v1/tensors/uniform/json?shape=10&seed=9'
    const json = await app.inject(jsonUrl)
    expect((await app.inject({ url: jsonUrl, headers: { 'if-match': json.headers.etag as string } })).statusCode).toBe(200)
    expect((await app.inject({ url: jsonUrl, headers: { 'if-match': '"other"' } })).statusCode).toBe(412)
  })
})

describe('Range', () => {
  test('every single range of every format equals the slice of the full body', async () => {
    const { app } = getApp()
    for (const format of ['raw', 'npy', 'safetensors']) {
      const { body } = await full(format)
      const total = body.length
      const cases: Array<[string, number, number]> = [
        ['bytes=0-0', 0, 0],
        ['bytes=0-99', 0, 99],
        ['bytes=1-6', 1, 6],
        ['bytes=130-4000', 130, Math.min(4000, total - 1)],
        [`bytes=${total - 10}-`, total - 10, total - 1],
        ['bytes=-5', total - 5, total - 1],
        [`bytes=-${total + 100}`, 0, total - 1],
        [`bytes=0-${total + 5}`, 0, total - 1]
      ]
      for (const [range, first, last] of cases) {
        const res = await app.inject({ url: `${URL}&format=${format}`, headers: { range } })
        expect(res.statusCode, `${format} ${range}`).toBe(206)
        expect(res.headers['content-range']).toBe(`bytes ${first}-${last}/${total}`)
        expect(res.headers['content-length']).toBe(String(last - first + 1))
        expect(res.rawPayload, `${format} ${range}`).toEqual(body.subarray(first, last + 1))
      }
    }
  })

  test('a range computes only the elements it covers', async () => {
    const { app, engine } = getApp()
    const before = { elements: engine.elementsComputed, ranges: engine.ranges.length }
    // Bytes 402-409 of the raw body: elements 100 (bytes 400-403, partly) to 102 (408-411, partly).
    await app.inject({ url: `${URL}&format=raw`, headers: { range: 'bytes=402-409' } })
    expect(engine.ranges.slice(before.ranges)).toEqual([{ start: 100, end: 103 }])
    expect(engine.elementsComputed - before.elements).toBe(3)
    // A range inside the npy header computes no element at all.
    const headerOnly = engine.elementsComputed
    const res = await app.inject({ url: `${URL}&format=npy`, headers: { range: 'bytes=0-9' } })
    expect(res.rawPayload.subarray(0, 6).toString('latin1')).toBe('\x93NUMPY')
    expect(engine.elementsComputed).toBe(headerOnly)
  })

  test('unsatisfiable: 416 problem with Content-Range bytes */N', async () => {
    const { app } = getApp()
    for (const range of ['bytes=4000-', 'bytes=5000-6000', 'bytes=-0']) {
      const res = await app.inject({ url: `${URL}&format=raw`, headers: { range } })
      expect(res.statusCode, range).toBe(416)
      expect(res.headers['content-range']).toBe('bytes */4000')
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(res.json()).toMatchObject({ code: 'range-not-satisfiable', field: '/headers/range' })
      expect(res.headers.etag).toBeUndefined()
    }
  })

  test('multiple ranges, other units and bad syntax are ignored: 200 with the full body', async () => {
    const { app } = getApp()
    for (const range of ['bytes=0-1,5-6', 'items=0-5', 'bytes=5-1', 'bytes=abc']) {
      const res = await app.inject({ url: `${URL}&format=raw`, headers: { range } })
      expect(res.statusCode, range).toBe(200)
      expect(res.rawPayload.length).toBe(4000)
    }
  })

  test('If-Range: the current ETag honours the Range; another tag, a weak one or a date sends it all', async () => {
    const { app } = getApp()
    const { etag } = await full('raw')
    const hit = await app.inject({ url: `${URL}&format=raw`, headers: { range: 'bytes=0-3', 'if-range': etag } })
    expect(hit.statusCode).toBe(206)
    for (const ifRange of ['"stale"', `W/${etag}`, 'Sun, 06 Nov 1994 08:49:37 GMT']) {
      const res = await app.inject({ url: `${URL}&format=raw`, headers: { range: 'bytes=0-3', 'if-range': ifRange } })
      expect(res.statusCode, ifRange).toBe(200)
      expect(res.rawPayload.length).toBe(4000)
    }
    // If-Range false also voids an unsatisfiable Range.
    const stale = await app.inject({ url: `${URL}&format=raw`, headers: { range: 'bytes=9000-', 'if-range': '"stale"' } })
    expect(stale.statusCode).toBe(200)
  })

  test('HEAD ignores Range (§14.2) and reports the full length', async () => {
    const res = await getApp().app.inject({ method: 'HEAD', url: `${URL}&format=raw`, headers: { range: 'bytes=0-3' } })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-length']).toBe('4000')
    expect(res.headers['accept-ranges']).toBe('bytes')
  })
})
