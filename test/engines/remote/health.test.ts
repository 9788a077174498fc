import { describe, expect, test } from 'vitest'
import { executeRange } from '../../../src/engines/reference/execute.ts'
import { buildPlan } from '../../../src/initializers/build-plan.ts'
import { InlineEngine } from '../../support/inline-engine.ts'
import { collect, remote, startGateway, startHost, startInlineHosts, until } from './support.ts'

type Worker = { origin: string, state: string, lastError?: string }

function workers (engine: { info: { details?: Record<string, unknown> } }): Worker[] {
  return engine.info.details?.workers as Worker[]
}

describe('host health', () => {
  test('a host that goes away is ejected, and re-admitted when it is back on its port', async () => {
    const [steady, flaky] = await startInlineHosts(2)
    const engine = await remote([steady!, flaky!])
    expect(engine.info.concurrency).toBe(2)

    flaky!.app.server.closeAllConnections()
    await flaky!.app.close()
    await until(() => engine.info.concurrency === 1, 5000, 'ejection')
    expect(workers(engine).find((w) => w.origin === flaky!.origin)?.state).toBe('down')

    // Meanwhile the remaining host serves everything.
    const plan = buildPlan({ initializer: 'uniform', shape: [50_000], seed: 1 }, 'json')
    const bytes = await collect(engine.stream(plan, { start: 0, end: 50_000 }))
    expect(Buffer.compare(bytes, executeRange(plan, 0, 50_000))).toBe(0)

    const back = await startHost(new InlineEngine(), flaky!.port)
    expect(back.origin).toBe(flaky!.origin)
    await until(() => engine.info.concurrency === 2, 5000, 're-admission')
    const before = back.engine.elementsComputed
    await collect(engine.stream(plan, { start: 0, end: 50_000 }))
    expect(back.engine.elementsComputed).toBeGreaterThan(before)
  })

  test('a gateway listed as a worker is refused (two gateways would fetch in a loop)', async () => {
    const hosts = await startInlineHosts(1)
    const first = await startGateway(await remote(hosts))
    const second = await remote([first, hosts[0]!])
    expect(second.info.concurrency).toBe(1)
    const refused = workers(second).find((w) => w.origin === first.origin)
    expect(refused?.state).toBe('down')
    expect(refused?.lastError).toMatch(/gateway/)
  })

  test('the engine starts with no host up, and becomes ready when one comes', async () => {
    const placeholder = await startInlineHosts(1)
    const port = placeholder[0]!.port
    placeholder[0]!.app.server.closeAllConnections()
    await placeholder[0]!.app.close()
    const engine = await remote([{ origin: `http://127.0.0.1:${port}` }])
    expect(engine.info.concurrency).toBe(0)
    await startHost(new InlineEngine(), port)
    await until(() => engine.info.concurrency === 1, 5000, 'first host')
  })
})
