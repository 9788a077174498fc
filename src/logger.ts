import { pino, type LevelWithSilent, type Logger } from 'pino'

/**
 * The service's one logger: pino, writing JSON lines to stdout. buildApp hands it to fastify
 * (fastify 5's `loggerInstance`), which derives each request's child logger (with its request id)
 * from it and adds its own req/res serializers, so the lines are those fastify's `logger` option
 * would write.
 */
export type ServiceLogger = Logger

export function createLogger (level: LevelWithSilent): ServiceLogger {
  return pino({ level })
}
