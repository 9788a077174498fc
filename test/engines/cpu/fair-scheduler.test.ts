import { describe, expect, it } from 'vitest'
import { FairScheduler } from '../../../src/engines/cpu/fair-scheduler.ts'
import { isTensorInitError } from '../../../src/core/errors.ts'

/**
 * The scheduler with a runner whose tasks complete when the test says so: the order in which
 * tasks start is then exactly the scheduler's decision.
 */
class ManualRunner {
  readonly started: string[] = []
  readonly #pending = new Map<string, () => void>()

  run = async (task: string): Promise<string> => {
    this.started.push(task)
    await new Promise<void>((resolve) => this.#pending.set(task, resolve))
    return task.toUpperCase()
  }

  /** Completes a started task and lets the scheduler react. */
  async finish (task: string): Promise<void> {
    const done = this.#pending.get(task)
    if (done === undefined) throw new Error(`${task} is not running`)
    this.#pending.delete(task)
    done()
    await new Promise((resolve) => setImmediate(resolve))
  }
}

describe('FairScheduler', () => {
  it('never runs more than its concurrency and serves lanes round robin', async () => {
    const runner = new ManualRunner()
    const s = new FairScheduler(runner.run, 2)
    const results: Array<Promise<string>> = []
    for (let i = 0; i < 6; i++) results.push(s.submit(1, `big${i}`).promise)
    results.push(s.submit(2, 'small0').promise, s.submit(2, 'small1').promise, s.submit(3, 'other0').promise)
    expect(runner.started).toEqual(['big0', 'big1'])
    expect(s.running).toBe(2)
    expect(s.queued).toBe(7)
    expect(s.lanes).toBe(3)
    // Lane 1 heads the line (it was alone when served); then lanes take turns: 2, 3, 1, 2, 1.
    await runner.finish('big0')
    await runner.finish('big1')
    await runner.finish('small0')
    await runner.finish('other0')
    await runner.finish('big2')
    await runner.finish('small1')
    expect(runner.started).toEqual(['big0', 'big1', 'big2', 'small0', 'other0', 'big3', 'small1', 'big4'])
    for (const t of ['big3', 'big4', 'big5']) await runner.finish(t)
    expect(await Promise.all(results)).toEqual(['BIG0', 'BIG1', 'BIG2', 'BIG3', 'BIG4', 'BIG5', 'SMALL0', 'SMALL1', 'OTHER0'])
    expect(s.running).toBe(0)
    expect(s.queued).toBe(0)
  })

  it('cancels queued tasks only', async () => {
    const runner = new ManualRunner()
    const s = new FairScheduler(runner.run, 1)
    const a = s.submit(1, 'a')
    const b = s.submit(1, 'b')
    const c = s.submit(1, 'c')
    expect(a.cancel()).toBe(false)
    expect(b.cancel(new Error('gone'))).toBe(true)
    expect(b.cancel()).toBe(false)
    await expect(b.promise).rejects.toThrow('gone')
    expect(s.queued).toBe(1)
    await runner.finish('a')
    expect(runner.started).toEqual(['a', 'c'])
    expect(c.cancel()).toBe(false)
    await runner.finish('c')
    await expect(a.promise).resolves.toBe('A')
    await expect(c.promise).resolves.toBe('C')
  })

  it('rejects cancelled tasks with an AbortError by default', async () => {
    const runner = new ManualRunner()
    const s = new FairScheduler(runner.run, 1)
    s.submit(1, 'a')
    const b = s.submit(1, 'b')
    b.cancel()
    await expect(b.promise).rejects.toMatchObject({ name: 'AbortError' })
  })

  it('drops every queued task at once', async () => {
    const runner = new ManualRunner()
    const s = new FairScheduler(runner.run, 1)
    const a = s.submit(1, 'a')
    const b = s.submit(1, 'b')
    const c = s.submit(2, 'c')
    s.cancelAll(new Error('closing'))
    expect(s.queued).toBe(0)
    expect(s.lanes).toBe(0)
    await expect(b.promise).rejects.toThrow('closing')
    await expect(c.promise).rejects.toThrow('closing')
    await runner.finish('a')
    await expect(a.promise).resolves.toBe('A')
    expect(runner.started).toEqual(['a'])
  })

  it('refuses new tasks when its queue is full', async () => {
    const runner = new ManualRunner()
    const s = new FairScheduler(runner.run, 1, 2)
    s.submit(1, 'a')
    s.submit(1, 'b')
    s.submit(2, 'c')
    const d = s.submit(3, 'd')
    const err = await d.promise.catch((e: unknown) => e)
    expect(isTensorInitError(err) && err.code).toBe('overloaded')
    expect(s.queued).toBe(2)
  })

  it('passes a runner failure to that task only', async () => {
    const s = new FairScheduler(async (t: string) => {
      if (t === 'bad') throw new Error('kernel failed')
      return t
    }, 1)
    const bad = s.submit(1, 'bad')
    const good = s.submit(1, 'good')
    await expect(bad.promise).rejects.toThrow('kernel failed')
    await expect(good.promise).resolves.toBe('good')
  })
})
