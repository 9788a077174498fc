import { TensorInitError } from '../../core/errors.ts'

/**
 * Hands tasks to a runner (the worker pool) at most `concurrency` at a time, fairly between
 * lanes (one lane per stream): each lane is a FIFO, and lanes take turns, round robin. A huge
 * tensor thus never has more than one chunk ahead of a small request's chunk; together with the
 * per-stream window (cpu-engine.ts) it can neither fill the queue nor starve anyone.
 *
 * Why not piscina's own queue (its `taskQueue` option): piscina puts a task that carries an
 * abort signal into an internal FIFO that bypasses a custom queue, and aborting a task that is
 * already running terminates its worker thread. Keeping the queue here gives fairness, cheap
 * cancellation of queued tasks, and leaves running tasks alone. The pool only ever receives
 * `concurrency` tasks.
 */

export interface Scheduled<R> {
  promise: Promise<R>
  /** Drops the task if it has not started (its promise rejects with `reason`); false if it has. */
  cancel (reason?: unknown): boolean
}

interface Job<T, R> {
  lane: number
  task: T
  resolve (value: R): void
  reject (reason: unknown): void
  started: boolean
}

export class FairScheduler<T, R> {
  readonly #run: (task: T) => Promise<R>
  readonly #concurrency: number
  readonly #maxQueued: number
  /** Lanes in turn order: the first is served next, then moves to the back (Map keeps insertion order). */
  readonly #lanes = new Map<number, Array<Job<T, R>>>()
  #queued = 0
  #running = 0
  #started = 0

  constructor (run: (task: T) => Promise<R>, concurrency: number, maxQueued = Infinity) {
    this.#run = run
    this.#concurrency = concurrency
    this.#maxQueued = maxQueued
  }

  /** Tasks waiting for a runner slot. */
  get queued (): number {
    return this.#queued
  }

  /** Tasks handed to the runner and not yet settled. */
  get running (): number {
    return this.#running
  }

  /** Tasks handed to the runner so far. */
  get started (): number {
    return this.#started
  }

  /** Lanes with waiting tasks. */
  get lanes (): number {
    return this.#lanes.size
  }

  submit (lane: number, task: T): Scheduled<R> {
    let settle!: Pick<Job<T, R>, 'resolve' | 'reject'>
    const promise = new Promise<R>((resolve, reject) => {
      settle = { resolve, reject }
    })
    const job: Job<T, R> = { lane, task, ...settle, started: false }
    if (this.#queued >= this.#maxQueued && this.#running >= this.#concurrency) {
      job.reject(new TensorInitError('overloaded', 'The cpu engine has too many chunks waiting; retry later.'))
      return { promise, cancel: () => false }
    }
    let jobs = this.#lanes.get(lane)
    if (jobs === undefined) {
      jobs = []
      this.#lanes.set(lane, jobs)
    }
    jobs.push(job)
    this.#queued++
    this.#dispatch()
    return { promise, cancel: (reason?: unknown) => this.#cancel(job, reason) }
  }

  /** Drops every task that has not started; their promises reject with `reason`. */
  cancelAll (reason: unknown): void {
    const lanes = [...this.#lanes.values()]
    this.#lanes.clear()
    for (const jobs of lanes) {
      for (const job of jobs) {
        this.#queued--
        job.reject(reason)
      }
    }
  }

  #cancel (job: Job<T, R>, reason: unknown): boolean {
    if (job.started) return false
    const jobs = this.#lanes.get(job.lane)
    const at = jobs?.indexOf(job) ?? -1
    if (jobs === undefined || at === -1) return false
    jobs.splice(at, 1)
    if (jobs.length === 0) this.#lanes.delete(job.lane)
    this.#queued--
    job.reject(reason ?? new DOMException('The chunk was cancelled', 'AbortError'))
    return true
  }

  #dispatch (): void {
    while (this.#running < this.#concurrency) {
      const first = this.#lanes.entries().next()
      if (first.done === true) return
      const [lane, jobs] = first.value
      const job = jobs.shift()!
      this.#lanes.delete(lane)
      if (jobs.length > 0) this.#lanes.set(lane, jobs)
      this.#queued--
      this.#running++
      this.#started++
      job.started = true
      let result: Promise<R>
      try {
        result = this.#run(job.task)
      } catch (err) {
        result = Promise.reject(err)
      }
      result.then(job.resolve, job.reject).finally(() => {
        this.#running--
        this.#dispatch()
      })
    }
  }
}
