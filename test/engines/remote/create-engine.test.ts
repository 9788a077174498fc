import { afterEach, describe, expect, test, vi } from 'vitest'
import { loadConfig } from '../../../src/config.ts'
import { createEngine } from '../../../src/engines/create-engine.ts'
import { RemoteOptionsError } from '../../../src/engines/remote/remote-options.ts'
import { startInlineHosts } from './support.ts'

afterEach(() => { vi.unstubAllEnvs() })

describe('ENGINE=remote', () => {
  test('createEngine builds a gateway over the given hosts and logs the choice', async () => {
    const hosts = await startInlineHosts(2)
    const logged: string[] = []
    const logger = { info: (_d: Record<string, unknown>, m: string) => { logged.push(m) }, warn: () => {} }
    const engine = await createEngine({ kind: 'remote', remote: { hosts: hosts.map((h) => h.origin) }, logger })
    try {
      expect(engine.info.name).toBe('remote')
      expect(engine.info.concurrency).toBe(2)
      expect(logged).toEqual(['ENGINE=remote'])
    } finally {
      await engine.close()
    }
  })

  test('the configuration\'s WORKER_HOSTS and REMOTE_* reach the engine; without hosts it refuses to start', async () => {
    const hosts = await startInlineHosts(1)
    const config = loadConfig({ ENGINE: 'remote', WORKER_HOSTS: hosts[0]!.origin, REMOTE_PART_BYTES: '65536' })
    const engine = await createEngine(config.engine)
    try {
      expect(engine.info.details?.partBytes).toBe(65536)
      expect(engine.info.concurrency).toBe(1)
    } finally {
      await engine.close()
    }
    // createEngine reads no environment: a selection without remote options has no hosts.
    vi.stubEnv('WORKER_HOSTS', hosts[0]!.origin)
    await expect(createEngine({ kind: 'remote' })).rejects.toThrow(RemoteOptionsError)
  })
})
