import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const NGINX_CONF = new URL('../../deploy/nginx/nginx.conf', import.meta.url)
/** Debian's nginx (.ci/run installs it); NGINX overrides the path. */
export const NGINX_BIN = process.env.NGINX ?? '/usr/sbin/nginx'

/** The placeholders deploy/nginx/nginx.conf documents, and nothing else. */
export const PLACEHOLDERS = ['TENSOR_INIT_UPSTREAM', 'NGINX_LISTEN', 'NGINX_CACHE_DIR', 'NGINX_CACHE_MAX_SIZE', 'NGINX_RUN_DIR'] as const

/** What `envsubst '${A} ${B} ...'` does with the documented list: replace those, keep nginx's own $vars. */
export function template (text: string, values: Record<typeof PLACEHOLDERS[number], string>): string {
  let out = text
  for (const name of PLACEHOLDERS) out = out.replaceAll(`\${${name}}`, values[name])
  return out
}

/** A port free on 127.0.0.1 right now (the kernel picks it; nginx binds it moments later). */
export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => { resolve(typeof address === 'object' && address !== null ? address.port : 0) })
    })
  })
}

export interface RunningNginx {
  origin: string
  dir: string
  child: ChildProcess
  stderr: () => string
  accessLog: () => Promise<string>
  stop: () => Promise<void>
}

/**
 * Replaces each `from` (which must occur exactly once, so that a changed template fails the test
 * rather than silently running the shipped value) by `to`: how a test runs the shipped config
 * with smaller limits (a 60 s send_timeout cannot be waited out in a test).
 */
export function override (text: string, replacements: ReadonlyArray<readonly [string, string]>): string {
  let out = text
  for (const [from, to] of replacements) {
    const count = out.split(from).length - 1
    if (count !== 1) throw new Error(`expected '${from}' exactly once in the nginx template, found it ${count} times`)
    out = out.replace(from, to)
  }
  return out
}

/**
 * Starts nginx in the foreground with the shipped config, templated into a temporary directory,
 * listening on a loopback port in front of `upstream` (host:port); `replacements` as in `override`.
 */
export async function startNginx (upstream: string, replacements: ReadonlyArray<readonly [string, string]> = []): Promise<RunningNginx> {
  if (!existsSync(NGINX_BIN)) throw new Error(`nginx not found at ${NGINX_BIN}: install Debian's nginx (apt-get install nginx), as .ci/run does`)
  const dir = await mkdtemp(join(tmpdir(), 'tensor-init-nginx-'))
  const run = join(dir, 'run')
  const cache = join(dir, 'cache')
  await mkdir(run)
  await mkdir(cache)
  // Run as root, nginx's workers drop to `nobody`, who must be able to write the cache and temp files.
  if (process.getuid?.() === 0) {
    for (const d of [dir, run, cache]) await chmod(d, 0o777)
  }
  const port = await freePort()
  const conf = join(dir, 'nginx.conf')
  await writeFile(conf, template(override(await readFile(NGINX_CONF, 'utf8'), replacements), {
    TENSOR_INIT_UPSTREAM: upstream,
    NGINX_LISTEN: `127.0.0.1:${port}`,
    NGINX_CACHE_DIR: cache,
    NGINX_CACHE_MAX_SIZE: '1g',
    NGINX_RUN_DIR: run
  }))
  const child = spawn(NGINX_BIN, ['-p', run, '-c', conf, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString() })
  const exited = new Promise<void>((resolve) => { child.once('exit', () => { resolve() }) })
  const origin = `http://127.0.0.1:${port}`
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      await exited
    }
    await rm(dir, { recursive: true, force: true })
  }
  const deadline = Date.now() + 10_000
  for (;;) {
    if (child.exitCode !== null) {
      await stop()
      throw new Error(`nginx exited with ${child.exitCode}: ${stderr}`)
    }
    try {
      const res = await fetch(`${origin}/healthz`)
      await res.arrayBuffer()
      if (res.ok) break
    } catch {}
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`nginx did not answer on ${origin}: ${stderr}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return { origin, dir, child, stderr: () => stderr, accessLog: async () => await readFile(join(run, 'access.log'), 'utf8'), stop }
}
