import closeWithGrace from 'close-with-grace'
import { ConfigError, loadConfig, type Config } from './config.ts'

/**
 * The process: configuration, listen, graceful shutdown. Nothing else lives here (design §3);
 * everything a request touches is built by buildApp.
 */

function configOrExit (): Config {
  try {
    return loadConfig()
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`)
      process.exit(1)
    }
    throw err
  }
}

const config = configOrExit()
// Loaded after the configuration is known good: a bad variable is reported at once.
const { buildApp } = await import('./app.ts')
let app: Awaited<ReturnType<typeof buildApp>>
try {
  app = await buildApp({ config })
} catch (err) {
  process.stderr.write(`tensor-init cannot start: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
}

// Margin before close-with-grace's hard exit, in which open connections are destroyed so that
// streams still running are cut (their clients see a short body against Content-Length) and the
// engine's workers stop, rather than the process vanishing under them.
const CUT_MARGIN_MS = Math.min(2000, Math.floor(config.shutdownGraceMs / 4))

closeWithGrace({ delay: config.shutdownGraceMs, logger: app.log }, async ({ signal, err }) => {
  if (err !== undefined) app.log.error({ err }, 'closing after an unexpected error')
  else app.log.info({ signal }, 'closing: finishing in-flight responses')
  // fastify stops accepting, answers 503 to requests on kept-alive connections and waits for
  // the in-flight ones; streams get until just before the grace delay ends.
  const cut = setTimeout(() => {
    app.log.warn('grace delay ending: cutting the responses still streaming')
    app.server.closeAllConnections()
  }, Math.max(0, config.shutdownGraceMs - CUT_MARGIN_MS))
  cut.unref()
  try {
    await app.close()
  } finally {
    clearTimeout(cut)
  }
})

try {
  await app.listen({ port: config.port, host: config.host })
} catch (err) {
  app.log.fatal({ err }, 'cannot listen')
  process.exit(1)
}
