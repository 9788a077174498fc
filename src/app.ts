import { randomUUID } from 'node:crypto'
import accepts from '@fastify/accepts'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { defaultConfig, type Config } from './config.ts'
import { type Limits } from './core/limits.ts'
import { createEngine } from './engines/create-engine.ts'
import type { Engine } from './engines/engine.ts'
import type { ServiceContext } from './http/context.ts'
import { closeConnectionsAfterResponse } from './http/close-after-response.ts'
import { handleFrameworkError, installErrorHandlers } from './http/error-handler.ts'
import { createMetrics, installRequestMetrics } from './http/metrics.ts'
import { openapiOptions } from './http/openapi.ts'
import { checkpointRoutes } from './http/routes/checkpoints.ts'
import { healthRoutes } from './http/routes/health.ts'
import { initializerRoutes } from './http/routes/initializers.ts'
import { metricsRoutes } from './http/routes/metrics.ts'
import { openapiRoutes } from './http/routes/openapi.ts'
import { problemRoutes } from './http/routes/problems.ts'
import { jsonTensorRoutes } from './http/routes/tensor-json.ts'
import { tensorRoutes } from './http/routes/tensors.ts'
import { SHARED_SCHEMAS } from './http/schemas/index.ts'
import { installValidatorCompiler } from './http/validator-compiler.ts'
import { SERVICE_VERSION } from './core/service-version.ts'
import { createLogger, type ServiceLogger } from './logger.ts'

export interface AppOptions {
  /** Defaults to the configuration with every default (tests); server.ts passes loadConfig(). */
  config?: Config
  /** Overrides config.limits field by field. */
  limits?: Partial<Limits>
  /**
   * The engine computing tensors. When absent, one is created from config.engine and closed with
   * the app; an injected engine belongs to the caller, who closes it.
   */
  engine?: Engine
  /** The logger; by default one built at config.logLevel. `false` logs nothing (tests). */
  logger?: ServiceLogger | false
}

/**
 * The whole service as a fastify instance that has not started listening: server.ts listens,
 * tests inject requests or listen on port 0, scripts/export-openapi.ts reads the spec.
 */
export async function buildApp (options: AppOptions = {}): Promise<FastifyInstance> {
  const config = options.config ?? defaultConfig()
  const limits: Limits = { ...config.limits, ...options.limits }
  // Typed as fastify's logger interface, so that the instance keeps fastify's default Logger type
  // that the route plugins are written against.
  const logger: FastifyBaseLogger | false = options.logger ?? createLogger(config.logLevel)
  const app = Fastify({
    // fastify 5 takes a ready pino instance as `loggerInstance` (its `logger` option only builds one).
    ...(logger === false ? {} : { loggerInstance: logger }),
    // Request ids: a caller's X-Request-Id is kept, otherwise a UUID; both appear in logs and problems.
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    // No handler timeout: it would cut long tensor streams mid-body (node-stack-notes §3.8), and
    // fastify allows only positive values per route, so it stays off app-wide. Requests themselves
    // must arrive promptly.
    handlerTimeout: 0,
    requestTimeout: 30_000,
    connectionTimeout: 0,
    bodyLimit: 1024 * 1024,
    routerOptions: { maxParamLength: 500 },
    frameworkErrors: handleFrameworkError
  }).withTypeProvider<TypeBoxTypeProvider>()

  const ownEngine = options.engine === undefined
  let engine: Engine
  try {
    engine = options.engine ?? await createEngine({ ...config.engine, logger: app.log })
  } catch (err) {
    await app.close()
    throw err
  }

  const ctx: ServiceContext = { engine, limits, version: SERVICE_VERSION, metrics: createMetrics(engine) }
  if (ownEngine) app.addHook('onClose', async () => { await engine.close() })
  app.addHook('onRequest', async (request, reply) => { reply.header('x-request-id', request.id) })

  for (const schema of SHARED_SCHEMAS) app.addSchema(schema)
  installValidatorCompiler(app)
  installErrorHandlers(app)
  installRequestMetrics(app, ctx.metrics.registry)
  closeConnectionsAfterResponse(app)

  await app.register(accepts)
  await app.register(swagger, openapiOptions(SERVICE_VERSION, config.publicUrl))
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true, uiConfig: { deepLinking: true } })

  await app.register(initializerRoutes)
  await app.register(tensorRoutes, ctx)
  await app.register(jsonTensorRoutes, ctx)
  await app.register(checkpointRoutes, ctx)
  await app.register(healthRoutes, ctx)
  await app.register(metricsRoutes, ctx)
  await app.register(problemRoutes)
  await app.register(openapiRoutes)
  return app
}
