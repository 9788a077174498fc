import { parseReadiness, type HostReadiness } from './readiness.ts'
import type { WorkerHost } from './worker-host.ts'

/**
 * One /readyz poll. Resolves with what the host says about itself, or rejects when it is not
 * ready: no connection, no answer within `timeoutMs` (a stopped process accepts connections yet
 * never answers), a non-200 status (the service answers 503 while its engine has no capacity), or
 * a body that does not describe an engine this gateway can use.
 */
export async function probeHost (host: WorkerHost, timeoutMs: number): Promise<HostReadiness> {
  const { statusCode, body } = await host.probe.request({
    path: '/readyz',
    method: 'GET',
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(timeoutMs)
  })
  if (statusCode !== 200) {
    await body.dump()
    throw new Error(`/readyz answered ${statusCode}`)
  }
  return parseReadiness(await body.json())
}
