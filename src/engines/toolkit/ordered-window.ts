import { abortRace } from './abort-race.ts'

/** One unit of work started by the window: its result, and how to drop it if it has not begun. */
export interface WindowTask<T> {
  promise: Promise<T>
  /** Drops the task if it is still queued; called for every task left when the stream ends. */
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
 * units still in flight are cancelled; a running one finishes and its result is dropped.
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
  try {
    fill()
    for (;;) {
      const head = inFlight.shift()
      if (head === undefined) return
      let result: T
      try {
        result = await abortRace(head.promise, signal)
      } catch (err) {
        throw failed === undefined ? err : failed(err)
      }
      // The result may have been ready when the abort came: nothing more is handed out after it.
      signal?.throwIfAborted()
      if (refill === 'before-yield') fill()
      yield result
      if (refill === 'on-pull') fill()
    }
  } finally {
    for (const task of inFlight) task.cancel?.()
  }
}
