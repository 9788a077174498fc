import { abortRace } from './abort-race.ts'

/** One unit of work started by the window: its result, and how to drop it if it has not begun. */
export interface WindowTask<T> {
  promise: Promise<T>
  /**
   * Drops the task if it is still queued (or stops it, if the engine can); called for every task
   * left when the stream ends, the one being awaited included.
   */
  cancel?: () => void
}

export interface OrderedWindowOptions {
  /** Tasks in flight at most (started, running, or done and not yet pulled). */
  window: number
  /** Aborting stops the stream: nothing more is started or handed out, what is left is cancelled. */
  signal?: AbortSignal | undefined
  /**
   * When the window is topped up after a result is taken:
   *  - 'on-pull': when the consumer pulls the next result, so a slow reader holds back the work
   *    (the cpu pool, whose workers are shared by every stream);
   *  - 'before-yield': before the result is handed out, so the workers compute while the consumer
   *    writes (the mlx engine, whose one GPU is otherwise idle while the socket drains).
   */
  refill: 'on-pull' | 'before-yield'
  /**
   * What the failure of an awaited task (or the abort) becomes, decided when the stream meets it,
   * e.g. a worker terminated by close() as "engine closed". Default: the error itself.
   */
  failed?: (err: unknown) => unknown
}

/**
 * The windowed in-order stream both computing engines run (design §3): the work is a sequence of
 * `units`, each started with `start`; at most `window` are in flight, and their results are
 * yielded in order. A unit is only started when the window has room, so the consumer's pace is the
 * backpressure. When the stream ends early (abort, error, or the consumer leaving the loop) the
 * units still in flight are cancelled, the one being awaited included; what cancel does to a unit
 * already running is the engine's business (the cpu engine lets a chunk finish and drops its
 * bytes, and stops whole-matrix work between columns).
 *
 * Errors from pulling `units` or from `start` (a closed engine, a full queue) end the stream.
 */
export async function * orderedWindow<U, T> (units: Iterator<U>, start: (unit: U) => WindowTask<T>, options: OrderedWindowOptions): AsyncGenerator<T> {
  const { window, signal, refill, failed } = options
  const inFlight: Array<WindowTask<T>> = []
  let more = true
  const fill = (): void => {
    while (more && inFlight.length < window) {
      const next = units.next()
      if (next.done === true) {
        more = false
        return
      }
      const task = start(next.value)
      // A dropped task (abort, early exit) still settles later, and nobody awaits it then.
      task.promise.catch(() => {})
      inFlight.push(task)
    }
  }
  signal?.throwIfAborted()
  // An abort cancels at once, even while the consumer holds a result and is not pulling: queued
  // units leave the scheduler now rather than when the consumer next calls next() or return().
  const cancelAll = (): void => {
    // Each task once: the abort listener and the finally block may both get here.
    for (const task of inFlight.splice(0)) task.cancel?.()
  }
  signal?.addEventListener('abort', cancelAll, { once: true })
  try {
    fill()
    for (;;) {
      // The head stays in the list while it is awaited, so an abort (or the consumer leaving)
      // cancels it with the rest: shifted off first, a head still queued behind other streams
      // would run to the end for nobody (issue 12: 10 aborted orthogonals burned 46 CPU-seconds).
      // An abort while the consumer held the last result: nothing more is started or handed out.
      signal?.throwIfAborted()
      const head = inFlight[0]
      if (head === undefined) return
      let result: T
      try {
        result = await abortRace(head.promise, signal)
      } catch (err) {
        throw failed === undefined ? err : failed(err)
      }
      inFlight.shift()
      // The result may have been ready when the abort came: nothing more is handed out after it.
      signal?.throwIfAborted()
      if (refill === 'before-yield') fill()
      yield result
      signal?.throwIfAborted()
      if (refill === 'on-pull') fill()
    }
  } finally {
    signal?.removeEventListener('abort', cancelAll)
    cancelAll()
  }
}
