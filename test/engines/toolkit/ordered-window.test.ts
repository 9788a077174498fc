import { describe, expect, test } from 'vitest'
import { orderedWindow, type OrderedWindowOptions, type WindowTask } from '../../../src/engines/toolkit/ordered-window.ts'

/** Tasks settled by hand, in any order, recording when each starts and whether it was cancelled. */
function harness () {
  const started: number[] = []
  const cancelled: number[] = []
  const settle = new Map<number, (value: number) => void>()
  const start = (unit: number): WindowTask<number> => {
    started.push(unit)
    return {
      promise: new Promise<number>((resolve) => { settle.set(unit, resolve) }),
      cancel: () => { cancelled.push(unit) }
    }
  }
  return { started, cancelled, settle, start }
}

function units (n: number): Iterator<number> {
  return Array.from({ length: n }, (_, i) => i)[Symbol.iterator]()
}

describe('orderedWindow', () => {
  test('yields in order whatever order tasks finish in, with at most `window` in flight', async () => {
    const h = harness()
    const it = orderedWindow(units(5), h.start, { window: 2, refill: 'on-pull' })
    const first = it.next()
    expect(h.started).toEqual([0, 1])
    h.settle.get(1)!(10)
    h.settle.get(0)!(0)
    expect(await first).toEqual({ done: false, value: 0 })
    // on-pull: nothing new starts while the consumer holds the result.
    expect(h.started).toEqual([0, 1])
    const second = it.next()
    expect(h.started).toEqual([0, 1, 2])
    expect(await second).toEqual({ done: false, value: 10 })
    await it.return(undefined)
    expect(h.cancelled).toEqual([2])
  })

  test('before-yield tops the window up before the consumer gets the result', async () => {
    const h = harness()
    const it = orderedWindow(units(3), h.start, { window: 2, refill: 'before-yield' })
    const first = it.next()
    h.settle.get(0)!(0)
    expect(await first).toEqual({ done: false, value: 0 })
    expect(h.started).toEqual([0, 1, 2])
    h.settle.get(1)!(1)
    h.settle.get(2)!(2)
    const rest: number[] = []
    for await (const v of { [Symbol.asyncIterator]: () => it }) rest.push(v)
    expect(rest).toEqual([1, 2])
    expect(h.cancelled).toEqual([])
  })

  test('an abort rejects the pending pull with its reason and cancels what is in flight', async () => {
    const h = harness()
    const controller = new AbortController()
    const options: OrderedWindowOptions = { window: 3, refill: 'on-pull', signal: controller.signal }
    const it = orderedWindow(units(10), h.start, options)
    const first = it.next()
    controller.abort(new Error('gone'))
    await expect(first).rejects.toThrow('gone')
    // The awaited head is cancelled too, each task exactly once (issue 12: a head left running
    // after an abort burned the CPU of aborted requests).
    expect(h.cancelled).toEqual([0, 1, 2])
    expect(h.started).toEqual([0, 1, 2])
  })

  test('`failed` decides what a task failure becomes', async () => {
    const it = orderedWindow(units(1), () => ({ promise: Promise.reject(new Error('worker terminated')) }), {
      window: 1, refill: 'on-pull', failed: () => new Error('engine closed')
    })
    await expect(it.next()).rejects.toThrow('engine closed')
  })
})
