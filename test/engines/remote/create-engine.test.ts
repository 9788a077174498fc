import { afterEach, describe, expect, test, vi } from 'vitest'
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

  test('without options it reads WORKER_HOSTS, and refuses to start without hosts', async () => {
    const hosts = await startInlineHosts(1)
    vi.stubEnv('WORKER_HOSTS', hosts[0]!.origin)
    vi.stubEnv('REMOTE_PART_BYTES', '65536')
    const engine = await createEngine({ kind: 'remote' })
    try {
      expect(engine.info.details?.partBytes).toBe(65536)
      expect(engine.info.concurrency).toBe(1)
    } finally {
      await engine.close()
    }
    vi.stubEnv('WORKER_HOSTS', '')
    await expect(createEngine({ kind: 'remote' })).rejects.toThrow(RemoteOptionsError)
  })
})
