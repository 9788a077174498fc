import { MessageChannel, type MessagePort } from 'node:worker_threads'

/** A port whose messages go nowhere: posting to a closed port still detaches what it transfers. */
let sink: MessagePort | undefined

/**
 * Frees `buffer`'s memory now: it is detached (length 0, every view of it empty), and its backing
 * store, owned by nothing any more, is released at once instead of when the garbage collector
 * finds the ArrayBuffer. ES2024 `transfer(0)` where the runtime has it (Node 22+); else a transfer
 * through a closed MessagePort, which serializes the message (detaching the buffer) and drops it
 * (Node 20). Only for memory nothing native still points into (no socket write in flight) and no other
 * view needs: the caller must own the whole buffer.
 */
export function freeNow (buffer: ArrayBuffer): void {
  if (buffer.byteLength === 0) return
  const transfer = (buffer as { transfer?: (length: number) => ArrayBuffer }).transfer
  if (typeof transfer === 'function') {
    transfer.call(buffer, 0)
    return
  }
  if (sink === undefined) {
    sink = new MessageChannel().port1
    sink.close()
  }
  sink.postMessage(null, [buffer])
}

/**
 * True when the view is the whole of its own ArrayBuffer: never a slice of Node's shared Buffer
 * pool (allocations under 4 KiB, which other data lives in) nor a view into a larger buffer.
 */
export function ownsWholeBuffer (view: Uint8Array): view is Uint8Array & { buffer: ArrayBuffer } {
  return view.buffer instanceof ArrayBuffer && view.byteOffset === 0 && view.byteLength === view.buffer.byteLength
}
