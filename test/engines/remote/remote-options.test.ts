import { describe, expect, test } from 'vitest'
import { normalizeOrigin, REMOTE_DEFAULTS, RemoteOptionsError, resolveRemoteOptions } from '../../../src/engines/remote/remote-options.ts'
import { EngineOptionError } from '../../../src/engines/toolkit/options.ts'

describe('remote engine options', () => {
  test('defaults fill what is not given; origins are normalized', () => {
    const o = resolveRemoteOptions({ hosts: ['http://127.0.0.1:8080/', ' http://LOCALHOST:81 '] })
    expect(o.hosts).toEqual(['http://127.0.0.1:8080', 'http://localhost:81'])
    expect(o.partBytes).toBe(REMOTE_DEFAULTS.partBytes)
    expect(o.exactness).toBe('largest')
  })

  test('default timeouts let a frozen host cost well under 2x a download of a few seconds (issue 12)', () => {
    const o = resolveRemoteOptions({ hosts: ['http://a:1'] })
    expect(o).toMatchObject({ headersTimeoutMs: 10_000, bodyTimeoutMs: 10_000, healthIntervalMs: 1000, healthTimeoutMs: 1500, connectTimeoutMs: 5000 })
  })

  test.each([
    [{ hosts: [] }, /at least one/],
    [{ hosts: ['http://a:1', 'http://a:1/'] }, /twice/],
    [{ hosts: ['ftp://a:1'] }, /http or https/],
    [{ hosts: ['http://a:1/v1'] }, /without path/],
    [{ hosts: ['http://user:pw@a:1'] }, /credentials/],
    [{ hosts: ['a:1:2'] }, /not a URL|http or https/],
    [{ hosts: ['http://a:1'], partBytes: 4 }, /partBytes/],
    [{ hosts: ['http://a:1'], connectionsPerHost: 0 }, /connectionsPerHost/],
    [{ hosts: ['http://a:1'], bodyTimeoutMs: 1.5 }, /bodyTimeoutMs/],
    [{ hosts: ['http://a:1'], exactness: 'close' as 'exact' }, /exactness/]
  ])('refuses %j', (options, message) => {
    expect(() => resolveRemoteOptions(options)).toThrow(message)
    expect(() => resolveRemoteOptions(options)).toThrow(RemoteOptionsError)
    // A start-up error like every engine option's (toolkit/options.ts), not a request error.
    expect(() => resolveRemoteOptions(options)).toThrow(EngineOptionError)
  })

  test('normalizeOrigin keeps https and explicit ports', () => {
    expect(normalizeOrigin('https://mac-1.local:8443')).toBe('https://mac-1.local:8443')
  })
})
