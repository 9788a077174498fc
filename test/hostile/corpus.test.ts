import { createHash } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { describe, expect, test } from 'vitest'
import { ERROR_CODES, isErrorCode } from '../../src/core/errors.ts'
import { loadConfig } from '../../src/config.ts'
import { listInitializers } from '../../src/initializers/catalog.ts'
import { build, useApp } from '../support/helper.ts'

/**
 * The adversarial corpus (issue 12, "Prove it": 0 5xx across the adversarial corpus). A bounded,
 * deterministic list of hostile requests over every route, generated from fixed tables (and one
 * fast-check sample with a fixed seed), sent with app.inject. Every answer must be below 500;
 * every error RFC 9457 problem+json with a `code` of core/errors.ts (never `internal`); every
 * answer X-Content-Type-Options: nosniff; no body or header repeats more than ECHO_LIMIT (~200)
 * characters of any one client string, and no problem body reaches 4 KiB.
 *
 * Long client strings are repetitions of a few distinctive units (UNITS), so that "repeats more
 * than 200 characters of it" is a check of a handful of windows per response, not a substring
 * search over megabytes.
 */

// Small limits: the valid requests the corpus contains stay cheap to compute.
const getApp = useApp({ limits: { maxElements: 4096, jsonMaxElements: 512 } })

const ENTRIES = listInitializers()
const ECHO_WINDOW = 201

/** The repeated units every long client string is made of. */
const UNITS = ['x', 'Zq', '9', 'é', '日本', '\u{1F600}', 'ab%', '_-']
/** Every 201-character window of a repetition of each unit (one per rotation of the unit). */
const WINDOWS = UNITS.flatMap((unit) => {
  const chars = [...unit]
  return chars.map((_, i) => {
    const rotated = [...chars.slice(i), ...chars.slice(0, i)].join('')
    return [...rotated.repeat(ECHO_WINDOW)].slice(0, ECHO_WINDOW).join('')
  })
})
const long = (unit: string, length: number): string => [...unit.repeat(Math.ceil(length / [...unit].length))].slice(0, length).join('')

interface Case { what: string, request: InjectOptions }

/** Outcomes by "status code", for the report and for the coverage assertions. */
const seen = new Map<string, number>()
let sent = 0

function check (res: LightMyRequestResponse, what: string): void {
  sent++
  const label = `${what} -> ${res.statusCode} ${res.body.slice(0, 300)}`
  expect(res.statusCode, label).toBeLessThan(500)
  expect(res.headers['x-content-type-options'], label).toBe('nosniff')
  let outcome = String(res.statusCode)
  if (res.statusCode >= 400) {
    expect(res.headers['content-type'], label).toMatch(/^application\/problem\+json(;|$)/)
    if (res.body !== '') {
      const problem = JSON.parse(res.body) as { code: string, status: number }
      expect(isErrorCode(problem.code) && problem.code !== 'internal', label).toBe(true)
      expect(problem.status, label).toBe(res.statusCode)
      // invalid-request is also the code of a framework client error that keeps its own 4xx status
      // (error-handler.ts: @fastify/static's 403 for a path holding %00, say).
      if (problem.code !== 'invalid-request') expect(ERROR_CODES[problem.code as keyof typeof ERROR_CODES].status, label).toBe(res.statusCode)
      expect(Buffer.byteLength(res.body), label).toBeLessThan(4096)
      outcome += ` ${problem.code}`
    }
  }
  seen.set(outcome, (seen.get(outcome) ?? 0) + 1)
  // A redirect's Location is the client's own request rewritten (303 to the JSON operation), and
  // a success's body is the representation asked for (a checkpoint holds its tensors' names).
  const headerText = Object.entries(res.headers).filter(([name]) => name !== 'location').map(([, v]) => String(v)).join('\n')
  const text = res.statusCode >= 300 ? `${res.body}\n${headerText}` : headerText
  for (const window of WINDOWS) {
    if (text.includes(window)) expect.fail(`${what}: the answer repeats more than 200 characters of a client string (${window.slice(0, 12)}…)`)
  }
}

async function sendAll (app: FastifyInstance, cases: readonly Case[]): Promise<void> {
  for (const c of cases) check(await app.inject(c.request), c.what)
}

const get = (url: string, headers: Record<string, string> = {}): Case => ({ what: `GET ${url.slice(0, 200)}`, request: { method: 'GET', url, headers } })
const head = (url: string, headers: Record<string, string> = {}): Case => ({ what: `HEAD ${url.slice(0, 200)}`, request: { method: 'HEAD', url, headers } })
const post = (url: string, payload: string | Buffer, headers: Record<string, string> = {}): Case => ({
  what: `POST ${url} ${payload.toString().slice(0, 200)}`,
  request: { method: 'POST', url, payload, headers: { 'content-type': 'application/json', ...headers } }
})

const TENSOR = '/v1/tensors/normal?shape=2,2'
const TENSOR_JSON = '/v1/tensors/normal/json?shape=2,2'
const BODY = '{"initializer":"normal","shape":[2,2]}'
const MANIFEST = '{"seed":1,"tensors":[{"name":"w","shape":[2,2],"initializer":"he_normal"}]}'

/** Every route, with a request to it that succeeds. */
const GET_URLS = [TENSOR, `${TENSOR}&format=npy`, TENSOR_JSON, '/v1/initializers', '/v1/initializers/normal', '/problems/invalid-shape', '/healthz', '/readyz', '/metrics', '/openapi.json', '/docs', '/docs/json', '/docs/static/index.html']
const POSTS: Array<[string, string]> = [['/v1/tensors', BODY], ['/v1/tensors/json', BODY], ['/v1/checkpoints', MANIFEST]]

/** Number text as it reaches a query field. */
const NUMBER_TEXT = [
  '1e308', '-1e308', '1.7976931348623157e308', '2e308', '-2e308', '1e400', '-0', '0', '-0.0', 'NaN', 'nan', '-NaN', 'Infinity', '-Infinity', 'inf', '-inf',
  '18446744073709551616', '18446744073709551615', '-18446744073709551616', '340282366920938463463374607431768211456', '9007199254740993',
  '0x10', '0X1p3', '0o17', '0b101', '1e3', '1E-400', '4.9e-324', '5e-324', '1e39', '3.5e38', '65520', '-1', '+1', '.5', '5.', '1_0',
  '١٢', '1,5', ' 1', '1 ', '', '00012', '1e', 'e5', '--1', '1e+308', '0.1e-310', long('9', 400), `0.${long('9', 400)}`
]
/** Number literals as they appear in a JSON body (text: some have no JavaScript value). */
const NUMBER_JSON = [
  '1e308', '-1e308', '1e400', '-1e400', '-0', '-0.0', '18446744073709551616', '18446744073709551615', '9007199254740993', '1e39', '3.5e38', '65520',
  '5e-324', '1e-400', '-1', '0.5', '1.0', '1E2', '"NaN"', '"Infinity"', '"1e308"', '"18446744073709551616"', '"0x10"', 'null', 'true', '[]', '{}', '[1e308]',
  '{"__proto__":1}', long('9', 400), `"${long('9', 400)}"`
]

describe('the adversarial corpus answers only 4xx problem+json (or a success), never 5xx', () => {
  test('huge and odd numbers in every numeric field of the query and of JSON bodies', async () => {
    const { app } = getApp()
    const cases: Case[] = []
    for (const v of NUMBER_TEXT) {
      const e = encodeURIComponent(v)
      for (const base of ['/v1/tensors/he_normal', '/v1/tensors/he_normal/json']) {
        cases.push(get(`${base}?shape=${e}`), get(`${base}?shape=2,${e}`), get(`${base}?shape=2,2&seed=${e}`), get(`${base}?shape=2,2&draw=${e}`),
          get(`${base}?shape=2,2&key=${e},0`), get(`${base}?shape=2,2&key=0,${e}`), get(`${base}?shape=2,2&gain=${e}`), get(`${base}?shape=2,2&params[gain]=${e}`))
      }
      cases.push(head(`/v1/tensors/normal?shape=2,2&std=${e}`), get(`/v1/tensors/normal?shape=2,2&mean=${e}`))
    }
    for (const v of NUMBER_JSON) {
      for (const url of ['/v1/tensors', '/v1/tensors/json']) {
        cases.push(post(url, `{"initializer":"he_normal","shape":[${v}]}`), post(url, `{"initializer":"he_normal","shape":[2,${v}]}`),
          post(url, `{"initializer":"he_normal","shape":${v}}`), post(url, `{"initializer":"he_normal","shape":[2,2],"seed":${v}}`),
          post(url, `{"initializer":"he_normal","shape":[2,2],"draw":${v}}`), post(url, `{"initializer":"he_normal","shape":[2,2],"key":[${v},0]}`),
          post(url, `{"initializer":"he_normal","shape":[2,2],"gain":${v}}`), post(url, `{"initializer":"normal","shape":[2,2],"params":{"std":${v},"mean":${v}}}`),
          post(url, `{"initializer":{"class_name":"RandomNormal","config":{"stddev":${v},"seed":${v}}},"shape":[2,2]}`))
      }
      cases.push(post('/v1/checkpoints', `{"seed":${v},"tensors":[{"name":"w","shape":[2,${v}],"initializer":"normal","gain":${v},"params":{"std":${v}}}]}`))
    }
    await sendAll(app, cases)
  }, 60_000)

  test('every initializer, each numeric parameter pushed to overflow, for every dtype: refused, or a finite tensor', async () => {
    const { app } = getApp()
    /** A shape each initializer accepts with its defaults (identity and the like want a square, dirac 3-D). */
    const shapes = new Map<string, string>()
    /** The parameters an initializer requires (constant's value, jax's scale), set to 1. */
    const required = new Map<string, string>()
    for (const entry of ENTRIES) {
      let given = ''
      for (const shape of ['2,2', '2,2,3', '3,3,2,2', '4']) {
        let res = await app.inject(`/v1/tensors/${entry.id}?shape=${shape}${given}`)
        while (res.statusCode === 400 && res.json().code === 'missing-parameter') {
          const name = String(res.json().field).slice(1)
          given += `&${name}=${entry.params.find((p) => p.name === name)?.enum?.[0] ?? 1}`
          res = await app.inject(`/v1/tensors/${entry.id}?shape=${shape}${given}`)
        }
        if (res.statusCode === 200) { shapes.set(entry.id, shape); break }
      }
      required.set(entry.id, given)
      expect(shapes.has(entry.id), entry.id).toBe(true)
    }
    const OVERFLOW = ['1e308', '-1e308', '1e39', '-3.5e38', '70000', '1e20', '5e-324']
    let finiteChecked = 0
    const nonFinite: string[] = []
    for (const entry of ENTRIES) {
      const numeric = entry.params.filter((p) => p.type === 'number').map((p) => p.name)
      // gain is a number for every fan-based initializer, and taken as a top-level field too.
      const names = [...new Set(numeric)]
      for (const dtype of entry.dtypes) {
        const queries: string[] = []
        for (const name of names) for (const v of OVERFLOW) queries.push(`${name}=${v}`)
        // Both ends of a range at once: low/high, a/b, minval/maxval, lower/upper.
        for (const [lo, hi] of [['low', 'high'], ['a', 'b'], ['minval', 'maxval'], ['lower', 'upper']]) {
          if (names.includes(lo as string) && names.includes(hi as string)) queries.push(`${lo}=-1e308&${hi}=1e308`, `${lo}=-3.5e38&${hi}=3.5e38`, `${lo}=-70000&${hi}=70000`)
        }
        if (names.includes('mean') && names.some((n) => /std/.test(n))) queries.push(`mean=1e308&${names.find((n) => /std/.test(n)) as string}=1e308`)
        for (const q of queries) {
          const name = q.split('=')[0] as string
          const rest = required.get(entry.id)?.split('&').filter((r) => r !== '' && !r.startsWith(`${name}=`)).map((r) => `&${r}`).join('') ?? ''
          const url = `/v1/tensors/${entry.id}?shape=${shapes.get(entry.id) as string}&dtype=${dtype}&format=raw&${q}${rest}`
          const res = await app.inject(url)
          check(res, `GET ${url}`)
          if (res.statusCode === 200 && dtype !== 'bool' && !dtype.includes('int')) {
            finiteChecked++
            if (!allFinite(res.rawPayload, dtype)) nonFinite.push(url)
          }
        }
      }
    }
    expect(finiteChecked).toBeGreaterThan(100)
    expect(nonFinite, `tensors of inf/NaN answered 200: ${nonFinite.join(' ')}`).toEqual([])
  }, 60_000)

  test('__proto__, constructor, prototype and friends as query fields, path ids and JSON keys (nested too)', async () => {
    const { app } = getApp()
    const NAMES = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf', '__defineGetter__', '__lookupGetter__', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString']
    const cases: Case[] = []
    for (const name of NAMES) {
      for (const field of [name, `${name}[x]`, `params[${name}]`, `params[${name}][std]`, `${name}[prototype]`, `${name}[std]`]) {
        for (const v of ['1', '1e308', '{}']) {
          const q = `${encodeURIComponent(field)}=${v}`
          cases.push(get(`${TENSOR}&${q}`), get(`${TENSOR_JSON}&${q}`), get(`/v1/initializers?${q}`))
        }
      }
      cases.push(get(`/v1/tensors/${name}?shape=2`), get(`/v1/tensors/${name}/json?shape=2`), get(`/v1/initializers/${name}`), get(`/problems/${name}`),
        get(`/v1/initializers?family=${name}`), get(`${TENSOR}&dtype=${name}`), get(`${TENSOR}&profile=${name}`), get(`${TENSOR}&format=${name}`),
        get(`/v1/tensors/he_normal?shape=2,2&mode=${name}`))
      const bodies = [
        `{"initializer":"normal","shape":[2],"${name}":{"dtype":"int8"}}`,
        `{"initializer":"normal","shape":[2],"params":{"${name}":{"std":1e308}}}`,
        `{"initializer":"normal","shape":[2],"params":{"${name}":{"prototype":{"std":1}}}}`,
        `{"initializer":"normal","shape":[2],"params":{"std":1,"${name}":null}}`,
        `{"initializer":"${name}","shape":[2]}`,
        `{"initializer":{"class_name":"${name}"},"shape":[2,2]}`,
        `{"initializer":{"class_name":"RandomNormal","config":{"${name}":{"stddev":1e308}}},"shape":[2,2]}`,
        `{"initializer":{"class_name":"HeNormal","config":{"${name}":{"prototype":{"seed":1}}}},"shape":[2,2]}`,
        `{"initializer":{"${name}":{"class_name":"HeNormal"}},"shape":[2,2]}`,
        `{"${name}":{"initializer":"normal","shape":[2]}}`,
        `{"initializer":"he_normal","shape":[2,2],"params":{"mode":"${name}"}}`,
        `{"initializer":"normal","shape":[2],"dtype":"${name}","profile":"${name}"}`
      ]
      for (const body of bodies) for (const url of ['/v1/tensors', '/v1/tensors/json']) cases.push(post(url, body))
      for (const manifest of [
        `{"tensors":[{"name":"${name}","shape":[2],"initializer":"normal"}]}`,
        `{"tensors":[{"name":"w","shape":[2],"initializer":"${name}"}]}`,
        `{"tensors":[{"name":"w","shape":[2],"initializer":"normal","${name}":{}}]}`,
        `{"tensors":[{"name":"w","shape":[2],"initializer":"normal","params":{"${name}":{"std":1e308}}}]}`,
        `{"${name}":{"seed":1},"tensors":[{"name":"w","shape":[2],"initializer":"normal"}]}`,
        `{"keys":"${name}","tensors":[{"name":"w","shape":[2],"initializer":"normal"}]}`,
        `{"tensors":[{"name":"${name}","shape":[2],"initializer":"normal"},{"name":"${name}","shape":[2],"initializer":"normal"}]}`
      ]) cases.push(post('/v1/checkpoints', manifest))
    }
    await sendAll(app, cases)
  }, 60_000)

  test('very long names and values, in the path, the query, headers and JSON bodies, are clipped in the answer', async () => {
    const { app } = getApp()
    const cases: Case[] = []
    for (const unit of UNITS) {
      for (const n of [300, 5000]) {
        const s = long(unit, n)
        const e = encodeURIComponent(s)
        for (const field of ['shape', 'dtype', 'seed', 'draw', 'key', 'gain', 'profile', 'format', 'mode', 'std', `params[${s}]`, s]) {
          const f = field === s || field.startsWith('params[') ? encodeURIComponent(field) : field
          cases.push(get(`/v1/tensors/he_normal?shape=2,2&${f}=${e}`), get(`/v1/tensors/he_normal/json?shape=2,2&${f}=${e}`))
        }
        cases.push(get(`/v1/tensors/${e}?shape=2`), get(`/v1/tensors/${e}/json?shape=2`), get(`/v1/initializers/${e}`), get(`/problems/${e}`),
          get(`/v1/initializers?family=${e}`), get(`/v1/initializers?${e}=1`), get(`/${e}`), get(`/docs/static/${e}`), get(`/healthz?${e}=${e}`))
        if (/^[\x20-\x7e]+$/.test(s)) {
          for (const [name, value] of [['x-request-id', s], ['accept', s], ['range', `bytes=${s}`], ['range', `${s}=0-1`], ['if-none-match', `"${s}"`],
            ['if-match', `"${s}"`], ['if-range', `"${s}"`], ['expect', s], ['origin', s]] as Array<[string, string]>) {
            cases.push(get(TENSOR, { [name]: value }), get(TENSOR_JSON, { [name]: value }))
          }
          cases.push(post('/v1/tensors', BODY, { 'content-type': s }), post('/v1/tensors', BODY, { 'content-type': `application/json; charset=${s}` }))
        }
      }
      for (const n of [5000, 100_000]) {
        const s = JSON.stringify(long(unit, n))
        for (const url of ['/v1/tensors', '/v1/tensors/json']) {
          for (const body of [
            `{"initializer":${s},"shape":[2]}`, `{"initializer":"normal","shape":[2],"dtype":${s}}`, `{"initializer":"normal","shape":[2],"profile":${s}}`,
            `{"initializer":"normal","shape":[2],"format":${s}}`, `{"initializer":"normal","shape":[2],"seed":${s}}`, `{"initializer":"normal","shape":[2],${s}:1}`,
            `{"initializer":"normal","shape":[2],"params":{${s}:1}}`, `{"initializer":"he_normal","shape":[2,2],"params":{"mode":${s}}}`,
            `{"initializer":{"class_name":${s}},"shape":[2,2]}`, `{"initializer":{"class_name":"HeNormal","config":{${s}:1}},"shape":[2,2]}`,
            `{"initializer":{"class_name":"VarianceScaling","config":{"mode":${s},"distribution":${s}}},"shape":[2,2]}`, `{"initializer":"normal","shape":[${s}]}`
          ]) cases.push(post(url, body))
        }
        for (const manifest of [
          `{"tensors":[{"name":${s},"shape":[2],"initializer":"normal"}]}`, `{"tensors":[{"name":"w","shape":[2],"initializer":${s}}]}`,
          `{"tensors":[{"name":"w","shape":[2],"initializer":"normal","params":{${s}:1}}]}`, `{"tensors":[{"name":"w","shape":[2],"initializer":"normal",${s}:1}]}`,
          `{"keys":${s},"tensors":[{"name":"w","shape":[2],"initializer":"normal"}]}`, `{"dtype":${s},"tensors":[{"name":"w","shape":[2],"initializer":"normal"}]}`,
          `{"tensors":[{"name":${s},"shape":[2],"initializer":"normal"},{"name":${s},"shape":[2],"initializer":"normal"}]}`
        ]) cases.push(post('/v1/checkpoints', manifest))
      }
    }
    // Past the body limits: 413 payload-too-large, whatever the body holds.
    const huge = long('x', 2 ** 20 + 10)
    cases.push(post('/v1/tensors', `{"initializer":"${huge}","shape":[2]}`), post('/v1/checkpoints', `{"tensors":[{"name":"${long('Zq', 17 * 2 ** 20)}","shape":[2],"initializer":"normal"}]}`))
    await sendAll(app, cases)
  }, 60_000)

  test('invalid UTF-8 and percent-encoding in paths, query names and values and JSON bodies', async () => {
    const { app } = getApp()
    const BAD = ['%', '%zz', '%ff', '%fe%ff', '%c0%af', '%ed%a0%80', '%00', '%e2%82', '%f4%90%80%80', '%%', '%2', '%u0041', '+', '%2B', '%0d%0a', '%5B', '%5D', '%26', '%3D', '..%2f..%2f', '%C3%28']
    const cases: Case[] = []
    for (const b of BAD) {
      cases.push(get(`/v1/tensors/${b}?shape=2`), get(`/v1/tensors/${b}/json?shape=2`), get(`/v1/initializers/${b}`), get(`/problems/${b}`), get(`/${b}`), get(`/docs/static/${b}`),
        get(`${TENSOR}&${b}=1`), get(`${TENSOR}&params${b}=1`), get(`/v1/tensors/normal?shape=${b}`), get(`/v1/tensors/normal?shape=2,2&dtype=${b}`),
        get(`/v1/tensors/he_normal?shape=2,2&mode=${b}`), get(`${TENSOR}&seed=${b}`), get(`/v1/initializers?family=${b}`), get(`/v1/tensors/normal?${b}`))
    }
    const bytes = (...parts: Array<string | number[]>): Buffer => Buffer.concat(parts.map((p) => typeof p === 'string' ? Buffer.from(p) : Buffer.from(p)))
    const bodies: Buffer[] = [
      bytes('{"initializer":"', [0xff, 0xfe], '","shape":[2]}'), bytes('{"initializer":"normal","shape":[2],"', [0xc0, 0xaf], '":1}'),
      bytes([0xef, 0xbb, 0xbf], BODY), bytes([0xfe, 0xff], BODY), bytes('{"initializer":"\\ud800","shape":[2]}'), bytes('{"initializer":"normal\\u0000","shape":[2]}'),
      bytes('{"initializer":"normal","shape":[2],"params":{"\\udfff":1}}'), bytes('{"initializer":"normal","shape":[2]', [0xed, 0xa0, 0x80], '}'),
      bytes('{"tensors":[{"name":"\\ud800","shape":[2],"initializer":"normal"}]}'), bytes('{"tensors":[{"name":"a\\u0000b","shape":[2],"initializer":"normal"}]}'),
      bytes('{"tensors":[{"name":"', [0xff], '","shape":[2],"initializer":"normal"}]}'), bytes(''), bytes('{'), bytes('[]'), bytes('null'), bytes('"x"'), bytes('{"a":'),
      bytes(BODY, BODY), bytes('{"initializer":"normal","shape":[2]}garbage'), bytes('{"initializer":"normal","shape":[2],}'), bytes(`${'['.repeat(5000)}${']'.repeat(5000)}`),
      bytes(`{"initializer":"normal","shape":[2],"params":${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}}`)
    ]
    for (const body of bodies) {
      for (const url of ['/v1/tensors', '/v1/tensors/json', '/v1/checkpoints']) {
        cases.push(post(url, body), post(url, body, { 'content-type': 'application/json; charset=utf-16' }), post(url, body, { 'content-type': 'text/plain' }))
      }
    }
    await sendAll(app, cases)
  }, 60_000)

  test('duplicate query fields and duplicate JSON members', async () => {
    const { app } = getApp()
    const DUPES = ['shape=2&shape=3', 'shape=2,2&dtype=float32&dtype=int8', 'shape=2,2&seed=1&seed=2', 'shape=2,2&draw=0&draw=1', 'shape=2,2&key=0,1&key=2,3',
      'shape=2,2&gain=1&gain=2', 'shape=2,2&profile=mlx&profile=mlx-0.13', 'shape=2,2&format=raw&format=npy', 'shape=2,2&format=json&format=json',
      'shape=2,2&mode=fan_in&mode=fan_out', 'shape=2,2&std=1&std=2', 'shape=2,2&params[std]=1&std=2', 'shape=2,2&params[std]=1&params[std]=2',
      'shape[]=2', 'shape[0]=2', 'shape=2&params=1', 'shape=2&params[]=1', 'shape=2&SHAPE=3', `${'shape=2&'.repeat(50)}x=1`, 'shape=2&seed=1&key=0,1',
      'shape=2,2&params[mode]=fan_in&mode=fan_out', 'shape=2&shape[x]=1', 'shape=2&&&&', '&&shape=2', 'shape', 'shape=', '=2', '=', 'shape==2', 'shape=2=3']
    const cases: Case[] = []
    for (const q of DUPES) for (const id of ['normal', 'he_normal']) cases.push(get(`/v1/tensors/${id}?${q}`), get(`/v1/tensors/${id}/json?${q}`), head(`/v1/tensors/${id}?${q}`))
    cases.push(get('/v1/initializers?family=mlx&family=keras'), get('/v1/initializers?family[]=mlx'), get('/problems/invalid-shape?x=1&x=2'))
    for (const body of [
      '{"initializer":"normal","initializer":"uniform","shape":[2]}', '{"initializer":"normal","shape":[2],"shape":[3,3]}',
      '{"initializer":"normal","shape":[2],"params":{"std":1,"std":1e308}}', '{"initializer":"normal","shape":[2],"seed":1,"seed":"x"}',
      '{"initializer":"normal","shape":[2],"seed":1,"key":[0,1]}', '{"initializer":"he_normal","shape":[2,2],"gain":2,"params":{"gain":3}}'
    ]) for (const url of ['/v1/tensors', '/v1/tensors/json']) cases.push(post(url, body))
    cases.push(post('/v1/checkpoints', '{"tensors":[{"name":"w","shape":[2],"initializer":"normal"}],"tensors":[]}'),
      post('/v1/checkpoints', '{"tensors":[{"name":"w","name":"v","shape":[2],"initializer":"normal","initializer":"nope"}]}'))
    await sendAll(app, cases)
  }, 60_000)

  test('Range, If-Range and Accept headers of odd forms, on every route', async () => {
    const { app } = getApp()
    const RANGES = ['bytes=0-0', 'bytes=-0', 'bytes=0-', 'bytes=5-1', 'bytes=1-2,3-4', 'bytes=0-18446744073709551616', 'bytes=-99999999999999999999', 'bytes= 0-1',
      'BYTES=0-1', 'items=0-1', 'bytes=0-1,', 'bytes=,', 'bytes=abc', 'bytes=1e3-2e3', 'bytes=0x0-0x10', 'bytes=--1', 'bytes=-', 'bytes=', 'bytes', '=',
      `bytes=${Array.from({ length: 500 }, (_, i) => `${i}-${i}`).join(',')}`, 'bytes=0-1;q=1', 'bytes=1.5-2', 'bytes=-1e308', 'bytes=0-9007199254740993',
      'bytes=\t0-1', 'bytes=0-1, 0-1', 'bytes=99999-', 'bytes=0--1']
    const IF_RANGE = ['"x"', 'W/"x"', '*', 'Mon, 01 Jan 2001 00:00:00 GMT', 'not a date', '"', '""']
    const ACCEPTS = ['', '*', '*/', '/*', '/', 'application/json;q=2', ';q=0', 'application/json;q=abc', 'application/json;q=-1', 'application/json;q=1e400',
      Array.from({ length: 300 }, (_, i) => `a/b${i};q=0.${i % 10}`).join(', '), 'application/*;q=0, */*;q=0', 'text/html', 'application/x-npy;q=1e400',
      'application/json; charset=utf-16', 'application/problem+json', 'APPLICATION/JSON', '*/*;q=0', 'application/vnd.safetensors;;;', ',,,,', 'a/b/c',
      'application/json;q=0.5;q=0.9', '*/json', 'application/octet-stream;q=0, application/json;q=0']
    const cases: Case[] = []
    const rangeTargets: Array<(h: Record<string, string>) => Case> = [
      (h) => get('/v1/tensors/normal?shape=4,4', h), (h) => get('/v1/tensors/normal?shape=4,4&format=safetensors', h), (h) => get(TENSOR_JSON, h),
      (h) => head('/v1/tensors/normal?shape=4,4', h), (h) => post('/v1/checkpoints', MANIFEST, h), (h) => post('/v1/tensors', BODY, h), (h) => get('/v1/initializers', h)
    ]
    for (const target of rangeTargets) {
      for (const range of RANGES) {
        cases.push(target({ range }))
        for (const ifRange of IF_RANGE) if (range === 'bytes=0-0' || range === 'bytes=5-1') cases.push(target({ range, 'if-range': ifRange }))
      }
      for (const tag of ['*', '"x"', 'W/"x"', '"a", "b"', '', ',', 'W/', '"unterminated']) cases.push(target({ 'if-none-match': tag }), target({ 'if-match': tag }))
    }
    for (const accept of ACCEPTS) {
      for (const url of GET_URLS) cases.push(get(url, { accept }))
      for (const [url, body] of POSTS) cases.push(post(url, body, { accept }))
      cases.push(head(TENSOR, { accept }), head(TENSOR_JSON, { accept }))
    }
    await sendAll(app, cases)
  }, 60_000)

  test('Keras configs that contradict the request or themselves', async () => {
    const { app } = getApp()
    const CONFIGS = [
      '{"class_name":"HeNormal","config":{"seed":1}}', '{"class_name":"HeNormal","config":{"seed":-1}}', '{"class_name":"HeNormal","config":{"seed":1e308}}',
      '{"class_name":"HeNormal","config":{"seed":"18446744073709551616"}}', '{"class_name":"HeNormal","config":{"seed":null}}', '{"class_name":"Nope"}', '{"class_name":""}',
      '{"class_name":"VarianceScaling","config":{"scale":1e308}}', '{"class_name":"VarianceScaling","config":{"scale":-1}}', '{"class_name":"VarianceScaling","config":{"scale":0}}',
      '{"class_name":"VarianceScaling","config":{"mode":"bogus","distribution":"x"}}', '{"class_name":"VarianceScaling","config":{"scale":1e308,"distribution":"uniform"}}',
      '{"class_name":"RandomUniform","config":{"minval":1,"maxval":-1}}', '{"class_name":"RandomUniform","config":{"minval":-1e308,"maxval":1e308}}',
      '{"class_name":"RandomNormal","config":{"stddev":-1}}', '{"class_name":"TruncatedNormal","config":{"stddev":1e308,"mean":-1e308}}',
      '{"class_name":"Constant","config":{"value":1e39}}', '{"class_name":"Constant","config":{"value":[1,2]}}', '{"class_name":"Orthogonal","config":{"gain":1e308}}',
      '{"class_name":"Identity","config":{"gain":-1e308}}', '{"class_name":"HeNormal","config":null}', '{"class_name":"HeNormal","config":[]}', '{"class_name":"HeNormal","config":"x"}',
      '{"class_name":"HeNormal","config":{"config":{"seed":1}}}', '{"class_name":"HeNormal","module":"torch.nn.init","registered_name":"Other"}',
      '{"class_name":"HeNormal","module":"keras.initializers","registered_name":null,"config":{"seed":3,"dtype":"int8"}}', '{"class_name":"HeNormal","config":{"dtype":"float16"}}',
      '{"class_name":"GlorotUniform","config":{"input_axes":[5],"output_axes":[-9]}}', '{"class_name":"GlorotUniform","config":{"input_axes":[1e308]}}',
      '{"class_name":"HeNormal","config":{"unknown":1}}', '{"class_name":"keras.initializers.HeNormal"}', '{"class_name":"he_normal"}', '{"class_name":1}', '{"config":{}}', '{}',
      '{"class_name":{"class_name":"HeNormal"}}'
    ]
    const cases: Case[] = []
    for (const config of CONFIGS) {
      for (const extra of ['', ',"seed":2', ',"seed":1', ',"dtype":"float64"', ',"params":{"mode":"fan_out"}', ',"gain":3', ',"key":[0,1]', ',"profile":"mlx-0.13"']) {
        for (const url of ['/v1/tensors', '/v1/tensors/json']) cases.push(post(url, `{"initializer":${config},"shape":[2,2]${extra}}`))
      }
    }
    await sendAll(app, cases)
  }, 60_000)

  test('checkpoint manifests with hostile names, shapes and members', async () => {
    const { app } = getApp()
    const tensor = (members: string): string => `{"name":"w","shape":[2,2],"initializer":"normal"${members}}`
    const NAMES = ['""', '"__metadata__"', '" "', '"a\\u0000b"', '"\\n"', '"../../etc/passwd"', '"w"', '"日本"', '"\\ud83d"', '"a\\"b"', '1', 'null', '[]', '{}']
    const SHAPES = ['[1e308]', '[-1]', '[9007199254740992]', '[18446744073709551616]', '[0]', '[]', '[65536,65536,65536]', '[2147483648,2]', '[[2]]', '"2,2"', '[2.5]',
      '[-0]', `[${Array.from({ length: 64 }, () => '2').join(',')}]`, `[${Array.from({ length: 5000 }, () => '1').join(',')}]`, 'null', '{"0":2}', '[1e-400]', '[1,0,1e308]']
    const cases: Case[] = []
    for (const name of NAMES) cases.push(post('/v1/checkpoints', `{"tensors":[{"name":${name},"shape":[2,2],"initializer":"normal"}]}`))
    for (const shape of SHAPES) cases.push(post('/v1/checkpoints', `{"tensors":[{"name":"w","shape":${shape},"initializer":"normal"}]}`))
    for (const manifest of [
      '{"tensors":[]}', '{"tensors":{}}', '{"tensors":null}', '{}', '{"tensors":[1]}', '{"tensors":[{}]}', `{"tensors":[${tensor('')},${tensor('')}]}`,
      `{"tensors":[${tensor(',"dtype":"int8"')}]}`, `{"tensors":[${tensor(',"dtype":"bool","gain":1e308')}]}`, `{"tensors":[${tensor(',"params":{"std":1e308}')}]}`,
      `{"tensors":[${tensor(',"params":{"std":1e308,"mean":-1e308}')}],"dtype":"float16"}`, `{"tensors":[${tensor(',"params":null')}]}`, `{"tensors":[${tensor(',"params":[]')}]}`,
      `{"seed":-1,"tensors":[${tensor('')}]}`, `{"seed":"18446744073709551616","tensors":[${tensor('')}]}`, `{"seed":1.5,"tensors":[${tensor('')}]}`,
      `{"keys":"name","seed":"18446744073709551615","tensors":[${tensor('')}]}`, `{"profile":"mlx-9","tensors":[${tensor('')}]}`,
      `{"tensors":[${Array.from({ length: 10_001 }, (_, i) => `{"name":"t${i}","shape":[1],"initializer":"zeros"}`).join(',')}]}`,
      `{"tensors":[${Array.from({ length: 300 }, (_, i) => `{"name":"t${i}","shape":[64,64],"initializer":"normal"}`).join(',')}]}`,
      `{"tensors":[${Array.from({ length: 20 }, () => '{"name":"same","shape":[1],"initializer":"normal"}').join(',')}]}`,
      '{"tensors":[{"name":"w","shape":[2,2],"initializer":"identity"},{"name":"v","shape":[2,3],"initializer":"identity"}]}',
      '{"tensors":[{"name":"w","shape":[2,2],"initializer":"torch.dirac_"}]}', '{"tensors":[{"name":"w","shape":[2,2],"initializer":"keras.HeNormal"}]}'
    ]) cases.push(post('/v1/checkpoints', manifest))
    await sendAll(app, cases)
  }, 60_000)

  test('other methods on every route, and a seeded random mix of the pieces above', async () => {
    const { app } = getApp()
    const cases: Case[] = []
    const paths = [...new Set([...GET_URLS, ...POSTS.map(([u]) => u)])]
    for (const url of paths) {
      for (const method of ['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND', 'POST', 'GET'] as const) {
        cases.push({ what: `${method} ${url}`, request: { method: method as InjectOptions['method'], url, payload: method === 'GET' ? undefined : '{}', headers: method === 'GET' ? {} : { 'content-type': 'application/json' } } })
      }
    }
    await sendAll(app, cases)
    // A fixed-seed sample of combinations: a random initializer, dtype, numeric value in a random
    // parameter (or an unknown or prototype name), odd Accept and Range.
    const names = [...new Set(ENTRIES.flatMap((e) => e.params.map((p) => p.name))), '__proto__', 'constructor', 'prototype', 'gain', long('x', 300)]
    const sample = fc.sample(fc.record({
      id: fc.constantFrom(...ENTRIES.map((e) => e.id)),
      dtype: fc.constantFrom('float32', 'float16', 'bfloat16', 'float64', 'int8', 'uint64', 'bool'),
      params: fc.dictionary(fc.constantFrom(...names), fc.constantFrom(...NUMBER_TEXT), { maxKeys: 3 }),
      json: fc.boolean(),
      accept: fc.option(fc.constantFrom('*/*', 'application/json', 'application/x-npy;q=0', 'text/html', ''), { nil: undefined }),
      range: fc.option(fc.constantFrom('bytes=0-0', 'bytes=-1', 'bytes=9-1', 'bytes=0-1,2-3'), { nil: undefined })
    }), { numRuns: 400, seed: 20260512 })
    for (const s of sample) {
      const query = Object.entries(s.params).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')
      const headers: Record<string, string> = {}
      if (s.accept !== undefined) headers.accept = s.accept
      if (s.range !== undefined) headers.range = s.range
      check(await app.inject({ url: `/v1/tensors/${s.id}${s.json ? '/json' : ''}?shape=2,2&dtype=${s.dtype}&${query}`, headers }), `sample ${JSON.stringify(s).slice(0, 300)}`)
      const body = `{"initializer":${JSON.stringify(s.id)},"shape":[2,2],"dtype":"${s.dtype}","params":{${Object.entries(s.params).map(([k, v]) => `${JSON.stringify(k)}:${/^-?\d/.test(v) && Number.isFinite(Number(v)) ? v : JSON.stringify(v)}`).join(',')}}}`
      check(await app.inject({ method: 'POST', url: s.json ? '/v1/tensors/json' : '/v1/tensors', payload: body, headers: { ...headers, 'content-type': 'application/json' } }), `POST ${body.slice(0, 300)}`)
    }
  }, 60_000)
})

describe('the corpus against a deployment with API keys, rate limits and CORS', () => {
  const KEY = 'corpus-key-1'
  const dir = mkdtempSync(join(tmpdir(), 'tensor-init-corpus-'))
  const file = join(dir, 'keys')
  writeFileSync(file, `${createHash('sha256').update(KEY).digest('hex')}\n`)

  test('odd Authorization and Origin headers: 401 problem+json with WWW-Authenticate, never 5xx; then 429', async () => {
    const { app } = await build({
      config: loadConfig({ API_KEYS_FILE: file, RATE_LIMIT_MAX: '100000', CORS_ORIGINS: 'https://app.example' }),
      limits: { maxElements: 4096, jsonMaxElements: 512 }
    })
    const AUTH = ['', 'Bearer', 'Bearer ', 'bearer corpus-key-1', 'BEARER corpus-key-1', 'Basic Y29ycHVzOmtleQ==', `Bearer ${long('x', 5000)}`, `Bearer ${long('Zq', 300)}`,
      'Bearer  corpus-key-1', 'Bearer corpus-key-1 ', 'Bearer corpus-key-1, Bearer x', 'Bearer corpus-key-1x', 'Bearer "corpus-key-1"', 'Token corpus-key-1',
      `Bearer ${KEY}\t`, 'Bearer =', 'Bearer %00', `${long('_-', 400)} ${KEY}`, 'Digest username="x"', 'Bearer __proto__', 'Bearer constructor']
    const ORIGINS = ['https://app.example', 'https://evil.example', 'null', '*', '', long('x', 300), 'https://app.example.evil.example']
    const cases: Case[] = []
    for (const authorization of AUTH) {
      const headers: Record<string, string> = authorization === '' ? {} : { authorization }
      for (const url of GET_URLS) cases.push(get(url, headers))
      for (const [url, body] of POSTS) cases.push(post(url, body, headers))
    }
    for (const origin of ORIGINS) {
      for (const url of [TENSOR, '/healthz', '/readyz']) {
        cases.push(get(url, { origin }), get(url, { origin, authorization: `Bearer ${KEY}` }))
        cases.push({ what: `OPTIONS ${url} from ${origin.slice(0, 40)}`, request: { method: 'OPTIONS', url, headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': `authorization, ${long('x', 300)}` } } })
      }
    }
    await sendAll(app, cases)
    const unauthorized = await app.inject(TENSOR)
    expect(unauthorized.statusCode).toBe(401)
    expect(unauthorized.headers['www-authenticate']).toMatch(/^Bearer realm=/)
    const ok = await app.inject({ url: TENSOR, headers: { authorization: `Bearer ${KEY}` } })
    expect(ok.statusCode).toBe(200)

    const limited = await build({ config: loadConfig({ API_KEYS_FILE: file, RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_MS: '60000' }) })
    const statuses: number[] = []
    for (let i = 0; i < 8; i++) {
      const res = await limited.app.inject({ url: TENSOR, headers: { authorization: `Bearer ${KEY}`, range: 'bytes=0-0' } })
      check(res, `rate-limited GET ${TENSOR} #${i}`)
      statuses.push(res.statusCode)
      if (res.statusCode === 429) expect(Number(res.headers['retry-after'])).toBeGreaterThan(0)
    }
    expect(statuses.filter((s) => s === 429)).toHaveLength(5)
  }, 60_000)
})

describe('the corpus reached both successes and many kinds of refusal', () => {
  test('outcomes', async () => {
    const outcomes = Object.fromEntries([...seen.entries()].sort((a, b) => b[1] - a[1]))
    console.info(`adversarial corpus: ${sent} requests`, outcomes)
    expect(sent).toBeGreaterThan(5000)
    expect(seen.get('200') ?? 0).toBeGreaterThan(200)
    expect([...seen.keys()].filter((k) => k.startsWith('4')).length).toBeGreaterThan(15)
    expect((await getApp().app.inject('/healthz')).statusCode).toBe(200)
  })
})

/** True when no element of a raw little-endian float tensor is an infinity or NaN. */
function allFinite (bytes: Buffer, dtype: string): boolean {
  const copy = Buffer.from(bytes)
  switch (dtype) {
    case 'float32': return new Float32Array(copy.buffer, copy.byteOffset, copy.length / 4).every(Number.isFinite)
    case 'float64': return new Float64Array(copy.buffer, copy.byteOffset, copy.length / 8).every(Number.isFinite)
    case 'float16': return new Uint16Array(copy.buffer, copy.byteOffset, copy.length / 2).every((h) => (h & 0x7c00) !== 0x7c00)
    case 'bfloat16': return new Uint16Array(copy.buffer, copy.byteOffset, copy.length / 2).every((h) => (h & 0x7f80) !== 0x7f80)
    default: return true
  }
}
