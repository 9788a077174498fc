import { setImmediate as yieldToLoop } from 'node:timers/promises'

/**
 * Long synchronous work (encoding a million-element JSON document, building or describing a
 * 10 000-tensor manifest) cut into slices, so that the event loop is never held for more than
 * about SLICE_MS at a time (issue 12: such work held /healthz for seconds). `yield` to the loop
 * is setImmediate: pending I/O and timers run in between, so probes and small requests interleave.
 */
export const SLICE_MS = 4

export interface TimeSlicer {
  /** Resolves at once while the current slice has time left; otherwise after yielding to the loop. */
  pause (): Promise<void> | undefined
}

/** A slicer whose first slice starts now. Call `pause()` between units of work and await its result when defined. */
export function timeSlicer (sliceMs = SLICE_MS): TimeSlicer {
  let sliceStart = performance.now()
  return {
    pause () {
      if (performance.now() - sliceStart < sliceMs) return undefined
      return yieldToLoop().then(() => { sliceStart = performance.now() })
    }
  }
}
