import { describe, expect, test } from 'vitest'
import type { Exactness } from '../../../src/core/exactness.ts'
import { chooseClass } from '../../../src/engines/remote/exactness-class.ts'
import { parseReadiness } from '../../../src/engines/remote/readiness.ts'

const exact: Exactness = { class: 'exact' }
const close2: Exactness = { class: 'close', ulp: 2 }
const close4: Exactness = { class: 'close', ulp: 4 }

describe('chooseClass', () => {
  test('largest: the class with the most hosts; ties go to exact, then fewer ulp', () => {
    expect(chooseClass([exact, close2, close2], 'largest')).toEqual(close2)
    expect(chooseClass([close2, exact], 'largest')).toEqual(exact)
    expect(chooseClass([close4, close2], 'largest')).toEqual(close2)
    expect(chooseClass([close4, close4, exact, close2], 'largest')).toEqual(close4)
    expect(chooseClass([], 'largest')).toBeUndefined()
  })

  test('exact: only the exact class, even when outnumbered', () => {
    expect(chooseClass([close2, close2, exact], 'exact')).toEqual(exact)
    expect(chooseClass([close2, close4], 'exact')).toBeUndefined()
  })
})

describe('parseReadiness', () => {
  const engine = { name: 'cpu', device: 'cpu', version: '1', concurrency: 2, exactness: { 'mlx-0.32': exact, 'mlx-0.13': { class: 'close', ulp: 1 } } }

  test('keeps the exactness table of a ready host', () => {
    const r = parseReadiness({ status: 'ready', version: '0.1.0', engine })
    expect(r.engine.exactness['mlx-0.13']).toEqual({ class: 'close', ulp: 1 })
  })

  test.each([
    [{ status: 'ok', version: '1', engine }, /status/],
    [{ status: 'ready', version: '1', engine: { ...engine, name: 'remote' } }, /gateway/],
    [{ status: 'ready', version: '1', engine: { ...engine, exactness: { 'mlx-0.32': exact } } }, /mlx-0\.13/],
    [{ status: 'ready', version: '1', engine: { ...engine, exactness: { 'mlx-0.32': exact, 'mlx-0.13': { class: 'close' } } } }, /mlx-0\.13/],
    [null, /status/]
  ])('refuses %j', (body, message) => {
    expect(() => parseReadiness(body)).toThrow(message)
  })
})
