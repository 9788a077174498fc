import { afterEach, describe, expect, test } from 'vitest'
import { resolveRemoteOptions } from '../../../src/engines/remote/remote-options.ts'
import { WorkerHost } from '../../../src/engines/remote/worker-host.ts'
import type { HostReadiness } from '../../../src/engines/remote/readiness.ts'

const readiness: HostReadiness = {
  version: '0.1.0',
  engine: { name: 'cpu', device: 'cpu', version: '1', concurrency: 1, exactness: { 'mlx-0.32': { class: 'exact' }, 'mlx-0.13': { class: 'exact' } } }
}

let host: WorkerHost
afterEach(async () => { await host.close() })

describe('WorkerHost quarantine', () => {
  test('a good poll re-admits a host ejected by a poll at once', () => {
    host = new WorkerHost('http://127.0.0.1:9', resolveRemoteOptions({ hosts: ['http://127.0.0.1:9'] }))
    host.admit(readiness, 0)
    host.eject('poll failed')
    expect(host.state).toBe('down')
    host.admit(readiness, 1)
    expect(host.state).toBe('ready')
  })

  test('after a failed tensor request, re-admission waits, doubling with each failure in a row', () => {
    host = new WorkerHost('http://127.0.0.1:9', resolveRemoteOptions({ hosts: ['http://127.0.0.1:9'] }))
    host.admit(readiness, 0)
    host.failed('reset', 100, 1000)
    host.admit(readiness, 1099)
    expect(host.state).toBe('down')
    host.admit(readiness, 1100)
    expect(host.state).toBe('ready')
    host.failed('reset', 100, 2000)
    host.admit(readiness, 2199)
    expect(host.state).toBe('down')
    host.admit(readiness, 2200)
    expect(host.state).toBe('ready')
    // A served part ends the run of failures.
    host.served()
    host.failed('reset', 100, 3000)
    host.admit(readiness, 3100)
    expect(host.state).toBe('ready')
    expect(host.ejections).toBe(3)
    // Capped at a minute however long the run.
    for (let i = 0; i < 30; i++) host.failed('reset', 100, 4000)
    expect(host.quarantineUntil).toBe(64_000)
  })
})
