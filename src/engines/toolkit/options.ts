/**
 * An engine option the service was started with is unusable (a thread count of 0, a chunk size
 * of 1.5, a worker host that is not an origin). It is a start-up error, raised while the engine is
 * built, before any request exists: so it is not a TensorInitError (those are request errors with
 * a code http maps to a status), and whoever starts the engine reports it and exits.
 */
export class EngineOptionError extends Error {
  constructor (message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'EngineOptionError'
  }
}

/**
 * `value` unless it is not a safe integer in [minimum, maximum]; then an EngineOptionError (or the
 * engine's own subclass, `OptionError`) naming the option, e.g. "cpu engine: threads".
 */
export function integerOption (
  name: string,
  value: number,
  minimum: number,
  maximum = Number.MAX_SAFE_INTEGER,
  OptionError: new (message: string) => EngineOptionError = EngineOptionError
): number {
  if (!Number.isSafeInteger(value) || value < minimum || value > maximum) {
    const bounds = maximum < Number.MAX_SAFE_INTEGER
      ? `an integer in [${minimum}, ${maximum}]`
      : minimum === 1 ? 'a positive integer' : `an integer >= ${minimum}`
    throw new OptionError(`${name} must be ${bounds}, got ${String(value)}`)
  }
  return value
}
