/**
 * Cooperative cancellation of long reference computations (the orthogonal family's Householder
 * QR, seconds for 1024 x 1024). A worker thread runs one kernel at a time, synchronously, so the
 * check in force is a module-level value set around the kernel call (withCancellation) and read
 * between columns (checkCancelled), without threading a parameter through every kernel's
 * signature. The cpu engine's check reads a SharedArrayBuffer flag the main thread sets on abort
 * (cpu-worker.ts): stopping between columns frees the worker within milliseconds, where
 * terminating the thread would cost a respawn (wasm compile, tables).
 */

/** Thrown out of a kernel whose check said stop; nothing it computed is kept. */
export class WorkCancelledError extends Error {
  constructor () {
    super('the computation was cancelled')
    this.name = 'WorkCancelledError'
  }
}

let current: (() => boolean) | undefined

/** Runs `work` with `isCancelled` as the check in force (restored afterwards). */
export function withCancellation<T> (isCancelled: (() => boolean) | undefined, work: () => T): T {
  const previous = current
  current = isCancelled
  try {
    return work()
  } finally {
    current = previous
  }
}

/** Throws WorkCancelledError when the check in force says stop; a no-op without one. */
export function checkCancelled (): void {
  if (current !== undefined && current()) throw new WorkCancelledError()
}
