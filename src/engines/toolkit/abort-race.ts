/**
 * The promise's outcome, or the signal's reason as soon as it aborts, whichever comes first (the
 * promise itself keeps running: cancelling the work is the caller's business). Without a signal
 * it is the promise.
 *
 * The abort listener lives only as long as this one promise and is removed when it settles:
 * racing every chunk against one long-lived "aborted" promise instead would leave a reaction on
 * it per chunk, each holding its chunk's bytes until the stream ends.
 */
export async function abortRace<T> (promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return await promise
  signal.throwIfAborted()
  return await new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then((value) => {
      signal.removeEventListener('abort', onAbort)
      resolve(value)
    }, (err: unknown) => {
      signal.removeEventListener('abort', onAbort)
      reject(err)
    })
  })
}
