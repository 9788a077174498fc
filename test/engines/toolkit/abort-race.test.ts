import { describe, expect, test } from 'vitest'
import { abortRace } from '../../../src/engines/toolkit/abort-race.ts'

describe('abortRace', () => {
  test('the promise when it settles first, the abort reason otherwise; no listener left behind', async () => {
    const controller = new AbortController()
    const { signal } = controller
    let listeners = 0
    const add = signal.addEventListener.bind(signal)
    const remove = signal.removeEventListener.bind(signal)
    signal.addEventListener = (...args: Parameters<typeof add>) => { listeners++; add(...args) }
    signal.removeEventListener = (...args: Parameters<typeof remove>) => { listeners--; remove(...args) }
    expect(await abortRace(Promise.resolve(1), signal)).toBe(1)
    await expect(abortRace(Promise.reject(new Error('no')), signal)).rejects.toThrow('no')
    expect(listeners).toBe(0)
    const never = abortRace(new Promise(() => {}), signal)
    controller.abort(new Error('stop'))
    await expect(never).rejects.toThrow('stop')
    await expect(abortRace(Promise.resolve(2), signal)).rejects.toThrow('stop')
    expect(await abortRace(Promise.resolve(3), undefined)).toBe(3)
  })
})
