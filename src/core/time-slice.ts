/**
 * Long synchronous work (encoding a million-element JSON document, building or describing a
 * 10 000-tensor manifest) cut into slices, so that the event loop is never held for more than
 * about SLICE_MS at a time (issue 12: such work held /healthz for seconds).
 *
 * All slicers of the process take turns through one queue, one slice per turn of the event loop:
 * yielding with a bare setImmediate would not be enough, because Node runs every immediate queued
 * before its check phase in that phase, so N concurrent slicers would hold the loop for N slices
 * at once before any I/O (a /healthz probe) got its turn. Here the next waiting slice is released
 * by an immediate scheduled from the check phase, which runs in the next turn, after that turn's
 * timers and I/O.
 */
export const SLICE_MS = 4

export interface TimeSlicer {
  /** Undefined while the current slice has time left; otherwise a promise of the next turn. */
  pause (): Promise<void> | undefined
}

const waiting: Array<() => void> = []
let released = false

function releaseNext (): void {
  released = false
  waiting.shift()?.()
  if (waiting.length > 0) schedule()
}

function schedule (): void {
  if (released) return
  released = true
  setImmediate(releaseNext)
}

/** A slicer whose first slice starts now. Call `pause()` between units of work and await its result when defined. */
export function timeSlicer (sliceMs = SLICE_MS): TimeSlicer {
  let sliceStart = performance.now()
  return {
    pause () {
      if (performance.now() - sliceStart < sliceMs) return undefined
      return new Promise<void>((resolve) => {
        waiting.push(() => {
          sliceStart = performance.now()
          resolve()
        })
        schedule()
      })
    }
  }
}

/**
 * Work written once as a generator that yields between its units (a tensor of a manifest, an
 * entry of a header): `runAtOnce` drives it to the end on the spot, `runSliced` in time slices.
 * Both give the same result and throw the same errors.
 */
export function runAtOnce<T> (steps: Iterator<unknown, T>): T {
  for (;;) {
    const step = steps.next()
    if (step.done === true) return step.value
  }
}

export async function runSliced<T> (steps: Iterator<unknown, T>): Promise<T> {
  const slicer = timeSlicer()
  for (;;) {
    const step = steps.next()
    if (step.done === true) return step.value
    await slicer.pause()
  }
}
