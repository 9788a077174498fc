import accepts from '@fastify/accepts'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { defaultConfig, type AdmissionConfig, type Config, type ConnectionConfig } from './config.ts'
import { type Limits } from './core/limits.ts'
import { createEngine } from './engines/create-engine.ts'
import type { Engine } from './engines/engine.ts'
import { AdmissionBudget } from './http/admission.ts'
import { DOCS_CSP } from './http/docs-csp.ts'
import { applyConnectionLimits, connectionServerOptions } from './http/connection-limits.ts'
import type { ServiceContext } from './http/context.ts'
import { closeConnectionsAfterResponse } from './http/close-after-response.ts'
import { handleClientError, handleFrameworkError, installErrorHandlers } from './http/error-handler.ts'
import { genReqId } from './http/request-id.ts'
import { installAccess } from './http/access.ts'
import { createMetrics, installAdmissionGauges, installRequestMetrics } from './http/metrics.ts'
import { SendWatchdog } from './http/send-watchdog.ts'
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
  /** Overrides config.admission field by field (tests). */
  admission?: Partial<AdmissionConfig>
  /** Overrides config.connections field by field (tests). */
  connections?: Partial<ConnectionConfig>
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
  const admission: AdmissionConfig = { ...config.admission, ...options.admission }
  const connections: ConnectionConfig = { ...config.connections, ...options.connections }
  // Typed as fastify's logger interface, so that the instance keeps fastify's default Logger type
  // that the route plugins are written against.
  const logger: FastifyBaseLogger | false = options.logger ?? createLogger(config.logLevel)
  const app = Fastify({
    // fastify 5 takes a ready pino instance as `loggerInstance` (its `logger` option only builds one).
    ...(logger === false ? {} : { loggerInstance: logger }),
    // Request ids: a caller's X-Request-Id is kept when short and safe, otherwise a UUID
    // (http/request-id.ts); both appear in logs and problems.
    requestIdHeader: false,
    genReqId,
    // TRUST_PROXY: the client address (request.ip, the rate limit's key) from X-Forwarded-For.
    trustProxy: config.access.trustProxy,
    // Malformed HTTP, 408 and 431 answered on the raw socket as problem+json (http/error-handler.ts).
    clientErrorHandler: handleClientError,
    // No handler timeout: it would cut long tensor streams mid-body (node-stack-notes §3.8), and
    // fastify allows only positive values per route, so it stays off app-wide. Requests themselves
    // must arrive promptly.
    handlerTimeout: 0,
    // REQUEST_TIMEOUT_MS, HEADERS_TIMEOUT_MS, KEEP_ALIVE_TIMEOUT_MS, MAX_REQUESTS_PER_SOCKET.
    ...connectionServerOptions(connections),
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

  const metrics = createMetrics(engine)
  const ctx: ServiceContext = {
    engine,
    limits,
    version: SERVICE_VERSION,
    metrics,
    admission: new AdmissionBudget({ ...admission, onReject: (reason) => metrics.admissionRejected.inc({ reason }) }),
    sendWatchdog: new SendWatchdog(connections.sendTimeoutMs, () => metrics.sendTimeouts.inc())
  }
  installAdmissionGauges(metrics, ctx.admission)
  applyConnectionLimits(app.server, connections, () => metrics.connectionsDropped.inc())
  app.addHook('onClose', async () => { ctx.sendWatchdog.close() })
  if (ownEngine) app.addHook('onClose', async () => { await engine.close() })
  app.addHook('onRequest', async (request, reply) => { reply.header('x-request-id', request.id) })

  for (const schema of SHARED_SCHEMAS) app.addSchema(schema)
  installValidatorCompiler(app)
  installErrorHandlers(app)
  installRequestMetrics(app, ctx.metrics.registry)
  closeConnectionsAfterResponse(app)
  // API keys, rate limits, CORS (http/access.ts): before every route, after the id and error hooks.
  try {
    await installAccess(app, config.access)
  } catch (err) {
    await app.close()
    throw err
  }

  await app.register(accepts)
  await app.register(swagger, openapiOptions(SERVICE_VERSION, config.publicUrl))
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: { ...DOCS_CSP }, uiConfig: { deepLinking: true, validatorUrl: null } })

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
