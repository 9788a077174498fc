import { pino, type DestinationStream, type LevelWithSilent, type Logger } from 'pino'
import { clip } from './core/errors.ts'

/**
 * The service's one logger: pino, writing JSON lines to stdout. buildApp hands it to fastify
 * (fastify 5's `loggerInstance`), which derives each request's child logger (with its request id)
 * from it and adds its own req/res serializers, so the lines are those fastify's `logger` option
 * would write.
 */
export type ServiceLogger = Logger

/** The fields of a request a log line records, as fastify's own serializer writes them. */
interface LoggedRequest {
  method: string
  url: string
  host?: string | undefined
  remoteAddress?: string | undefined
  remotePort?: number | undefined
}

/**
 * fastify's request serializer with the client-supplied strings clipped (issue 12: a 1 MB query
 * was copied whole into every log line): the URL and Host header to 200 characters.
 */
function request (req: { method: string, url: string, host?: string, ip?: string, socket?: { remotePort?: number } }): LoggedRequest {
  return {
    method: req.method,
    url: clip(req.url),
    host: req.host === undefined ? undefined : clip(req.host),
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort
  }
}

/** The service's logger at `level`, writing to stdout (or `destination`, for tests). */
export function createLogger (level: LevelWithSilent, destination?: DestinationStream): ServiceLogger {
  const options = { level, serializers: { req: request } }
  return destination === undefined ? pino(options) : pino(options, destination)
}
