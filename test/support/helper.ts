import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, onTestFinished } from 'vitest'
import { buildApp, type AppOptions } from '../../src/app.ts'
import { InlineEngine, type InlineEngineOptions } from './inline-engine.ts'

export interface TestApp {
  app: FastifyInstance
  engine: InlineEngine
}

/**
 * Builds the app around an InlineEngine (unless another engine is given), silent, and closes both
 * when the current test finishes.
 */
export async function build (options: AppOptions & { inline?: InlineEngineOptions } = {}): Promise<TestApp> {
  const { inline, ...appOptions } = options
  const engine = new InlineEngine(inline)
  const app = await buildApp({ logger: false, engine, ...appOptions })
  onTestFinished(async () => {
    await app.close()
    await engine.close()
  })
  await app.ready()
  return { app, engine }
}

/** As build(), listening on 127.0.0.1 port 0; returns the origin to send requests to. */
export async function listen (options: AppOptions & { inline?: InlineEngineOptions } = {}): Promise<TestApp & { origin: string }> {
  const built = await build(options)
  await built.app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = built.app.server.address() as AddressInfo
  return { ...built, origin: `http://127.0.0.1:${port}` }
}

/**
 * One app for a whole test file (building one costs a few hundred ms of schema compilation), for
 * tests that only read from it. Call at the top of a describe/file; use the getter inside tests.
 */
export function useApp (options: AppOptions & { inline?: InlineEngineOptions } = {}): () => TestApp {
  let built: TestApp | undefined
  beforeAll(async () => {
    const { inline, ...appOptions } = options
    const engine = new InlineEngine(inline)
    const app = await buildApp({ logger: false, engine, ...appOptions })
    await app.ready()
    built = { app, engine }
  })
  afterAll(async () => {
    await built?.app.close()
    await built?.engine.close()
  })
  return () => {
    if (built === undefined) throw new Error('useApp: the app is built in beforeAll')
    return built
  }
}
