import { readFileSync } from 'node:fs'
import { DockerfileParser, type Instruction } from 'dockerfile-ast'
import { validate } from 'dockerfile-utils'
import { describe, expect, it } from 'vitest'

const DOCKERFILE = new URL('../../Dockerfile', import.meta.url)
const DOCKERIGNORE = new URL('../../.dockerignore', import.meta.url)

/** LSP DiagnosticSeverity: 1 error, 2 warning (dockerfile-utils reports with these). */
function lint (content: string): string[] {
  return validate(content)
    .filter((d) => d.severity === 1 || d.severity === 2)
    .map((d) => `line ${d.range.start.line + 1}: ${d.message}`)
}

/** An exact release: 24.21.0, optionally with a variant (24.21.0-bookworm-slim). */
const EXACT_TAG = /^v?\d+\.\d+\.\d+(-[A-Za-z0-9][A-Za-z0-9._-]*)?$/
/** Piping a download into a shell runs whatever the server returns at build time. */
const CURL_PIPE_SH = /\b(curl|wget)\b[^;&|]*\|\s*(sudo\s+)?(ba|da|z)?sh\b/
const URL_SOURCE = /^(https?|ftp|git):\/\/|^git@/

/** Exec form is a JSON array of strings (Dockerfile reference, "shell and exec form"). */
function isExecForm (text: string | null): boolean {
  if (text === null) return false
  try {
    const value: unknown = JSON.parse(text)
    return Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string')
  } catch {
    return false
  }
}

const line = (instruction: Instruction): number => instruction.getRange().start.line

/**
 * The project's rules for its image (node-stack-notes §7), as a list of violations.
 * The same function checks the real Dockerfile and the deliberately bad one below.
 */
function policyViolations (content: string): string[] {
  const dockerfile = DockerfileParser.parse(content)
  const violations: string[] = []
  const froms = dockerfile.getFROMs()
  if (froms.length < 2) violations.push('not a multi-stage build')

  const stages = new Set<string>()
  for (const from of froms) {
    const name = from.getImageName() ?? ''
    const tag = from.getImageTag()
    const digest = from.getImageDigest()
    if (stages.has(name)) {
      // FROM <earlier stage>: pinned where that stage is.
    } else if (name.includes('$')) {
      violations.push(`base image "${from.getImage() ?? ''}" comes from a variable`)
    } else if (digest === null && (tag === null || tag === 'latest' || !EXACT_TAG.test(tag))) {
      violations.push(`base image "${from.getImage() ?? ''}" is not pinned to an exact version`)
    }
    const stage = from.getBuildStage()
    if (stage !== null) stages.add(stage)
  }

  const instructions = dockerfile.getInstructions()
  const last = froms.at(-1)
  const final = last === undefined ? [] : instructions.filter((i) => line(i) > line(last))
  const keyword = (i: Instruction): string => i.getKeyword().toUpperCase()
  const users = final.filter((i) => keyword(i) === 'USER')
  const user = users.at(-1)?.getArgumentsContent()?.trim()
  if (user === undefined) violations.push('final stage has no USER')
  else if (/^(root|0)(:.*)?$/.test(user)) violations.push(`final stage runs as ${user}`)

  const healthchecks = final.filter((i) => keyword(i) === 'HEALTHCHECK')
  const healthcheck = healthchecks.at(-1)?.getArgumentsContent() ?? null
  if (healthcheck === null || /^NONE\b/i.test(healthcheck)) violations.push('final stage has no HEALTHCHECK')
  else if (!isExecForm(healthcheck.replace(/^CMD\s+/i, ''))) violations.push('HEALTHCHECK is not in exec form')

  for (const name of ['CMD', 'ENTRYPOINT']) {
    const found = final.filter((i) => keyword(i) === name)
    if (found.length > 1) violations.push(`final stage has ${found.length} ${name} instructions`)
    const chosen = found.at(-1)
    if (chosen === undefined) {
      if (name === 'CMD') violations.push('final stage has no CMD')
      continue
    }
    const content = chosen.getArgumentsContent()
    if (!isExecForm(content)) violations.push(`${name} is not in exec form`)
    else if ((JSON.parse(content as string) as string[])[0] === 'npm') violations.push(`${name} starts npm, which does not forward signals`)
  }

  const runs = instructions.filter((i) => keyword(i) === 'RUN').map((i) => i.getArgumentsContent() ?? '')
  if (!runs.some((run) => /\bnpm ci\b[^&;|]*--omit=dev\b/.test(run))) violations.push('no "npm ci --omit=dev" for the production dependencies')
  for (const run of runs) {
    if (CURL_PIPE_SH.test(run)) violations.push(`RUN pipes a download into a shell: ${run}`)
  }
  for (const add of instructions.filter((i) => keyword(i) === 'ADD')) {
    if (add.getArguments().some((a) => URL_SOURCE.test(a.getValue()))) violations.push(`ADD fetches a URL at line ${line(add) + 1}`)
  }
  return violations
}

describe('Dockerfile', () => {
  const content = readFileSync(DOCKERFILE, 'utf8')

  it('passes dockerfile-utils with no error or warning', () => {
    expect(lint(content)).toEqual([])
  })

  it('follows the image policy', () => {
    expect(policyViolations(content)).toEqual([])
  })

  it('builds on node 24 bookworm-slim and copies what the service runs from', () => {
    const dockerfile = DockerfileParser.parse(content)
    expect(dockerfile.getFROMs()[0]?.getImage()).toMatch(/^node:24\.\d+\.\d+-bookworm-slim(@sha256:[0-9a-f]{64})?$/)
    const copies = dockerfile.getCOPYs().map((c) => c.getArgumentsContent())
    for (const source of ['/app/node_modules', '/app/dist', 'openapi', 'package.json']) {
      expect(copies.some((c) => c?.startsWith(`${source} `)), source).toBe(true)
    }
    expect(content).toMatch(/apt-get install -y --no-install-recommends liblapack3 libblas3 tini/)
    expect(content).toMatch(/^ENV NODE_ENV=production$/m)
    expect(content).toMatch(/^EXPOSE 8080$/m)
    expect(content).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "--"\]$/m)
    expect(content).toMatch(/^CMD \["node", "--enable-source-maps", "dist\/server\.js"\]$/m)
    expect(content).toMatch(/fetch\('http:\/\/127\.0\.0\.1:8080\/healthz'\)/)
  })

  it('keeps the build context small (.dockerignore)', () => {
    const ignored = readFileSync(DOCKERIGNORE, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))
    for (const entry of ['node_modules', 'dist', '.git', 'test', '.vitest', 'bench', 'build']) expect(ignored).toContain(entry)
    // Nothing the Dockerfile copies from the context may be ignored.
    for (const needed of ['src', 'scripts', 'assembly', 'openapi', 'package.json', 'package-lock.json', '.npmrc']) {
      expect(ignored).not.toContain(needed)
    }
  })
})

describe('Dockerfile policy checks', () => {
  const BAD = [
    'FROM node:latest',
    'MAINTAINER someone@example.com',
    'ADD https://example.com/tool.tar.gz /opt/',
    'RUN curl -fsSL https://example.com/install.sh | bash',
    'RUN npm ci',
    'USER root',
    'CMD npm start',
    'CMD npm start',
    ''
  ].join('\n')

  it('report every violation of a deliberately bad Dockerfile', () => {
    expect(policyViolations(BAD)).toEqual([
      'not a multi-stage build',
      'base image "node:latest" is not pinned to an exact version',
      'final stage runs as root',
      'final stage has no HEALTHCHECK',
      'final stage has 2 CMD instructions',
      'CMD is not in exec form',
      'no "npm ci --omit=dev" for the production dependencies',
      'RUN pipes a download into a shell: curl -fsSL https://example.com/install.sh | bash',
      'ADD fetches a URL at line 3'
    ])
  })

  it('reject floating tags, unpinned images and shell-form health checks', () => {
    const violations = policyViolations([
      'FROM node:24-bookworm-slim AS build',
      'FROM debian AS other',
      'FROM node:24.21.0 AS runtime',
      'USER 0:0',
      'HEALTHCHECK CMD curl -f http://localhost/ || exit 1',
      'ENTRYPOINT ["npm", "start"]',
      'CMD ["node", "server.js"]',
      'RUN npm ci --omit=dev && wget -qO- https://example.com/x | sh',
      ''
    ].join('\n'))
    expect(violations).toEqual([
      'base image "node:24-bookworm-slim" is not pinned to an exact version',
      'base image "debian" is not pinned to an exact version',
      'final stage runs as 0:0',
      'HEALTHCHECK is not in exec form',
      'ENTRYPOINT starts npm, which does not forward signals',
      'RUN pipes a download into a shell: npm ci --omit=dev && wget -qO- https://example.com/x | sh'
    ])
  })

  it('accept a digest in place of an exact tag', () => {
    const digest = `sha256:${'a'.repeat(64)}`
    expect(policyViolations(`FROM node@${digest} AS a\nFROM a\nUSER node\nHEALTHCHECK CMD ["true"]\nRUN npm ci --omit=dev\nCMD ["node"]\n`)).toEqual([])
  })

  it('are backed by a linter that flags a broken Dockerfile', () => {
    expect(lint(BAD)).toEqual(expect.arrayContaining([expect.stringMatching(/MAINTAINER/i), expect.stringMatching(/CMD/)]))
  })
})
