import { type ErrorCode, TensorInitError, isTensorInitError } from '../../core/errors.ts'

/**
 * What crosses back from a cpu worker: the chunk's bytes, or a domain error as plain data.
 * Errors thrown in a worker reach the main thread structured-cloned, which keeps the message but
 * drops the class and its `code`; a TensorInitError is therefore sent as data and rebuilt, so the
 * HTTP layer still maps it to its problem type.
 */
export interface WorkerError {
  error: { code: ErrorCode, message: string, field: string | undefined }
}

export type WorkerResult = Uint8Array | WorkerError

export function toWorkerError (err: unknown): WorkerError | undefined {
  if (!isTensorInitError(err)) return undefined
  return { error: { code: err.code, message: err.message, field: err.field } }
}

/** The bytes of a result, or throws the TensorInitError it carries. */
export function unwrapWorkerResult (result: WorkerResult): Uint8Array {
  if (result instanceof Uint8Array) return result
  throw new TensorInitError(result.error.code, result.error.message, result.error.field)
}
