import { readdirSync, readFileSync } from 'node:fs'
import { parseAllDocuments } from 'yaml'
import { describe, expect, test } from 'vitest'
import { ENV_SCHEMA } from '../../src/config.ts'
import { PLACEHOLDERS } from './nginx-harness.ts'

/**
 * deploy/k8s: no cluster and no kubeconform here, so the manifests are parsed with `yaml` (already
 * installed as a dependency of @fastify/swagger; not added to package.json) and checked against
 * the rules that make them work together: selectors that select, probes on the service's real
 * routes, a grace period that covers preStop plus the service's own shutdown grace, an HPA that
 * targets the Deployment and has CPU requests to measure against. Each rule is also shown to fail
 * on a broken copy.
 */

const DIR = new URL('../../deploy/k8s/', import.meta.url)

type Obj = Record<string, any>

function load (file: string): Obj[] {
  const docs = parseAllDocuments(readFileSync(new URL(file, DIR), 'utf8'))
  for (const doc of docs) {
    expect(doc.errors, `${file}: ${doc.errors.map((e) => e.message).join('; ')}`).toEqual([])
    expect(doc.warnings, file).toEqual([])
  }
  return docs.map((d) => d.toJS() as Obj).filter((o) => o !== null)
}

function manifests (): Obj[] {
  return readdirSync(DIR).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').flatMap(load)
}

function find (all: Obj[], kind: string, name: string): Obj {
  const found = all.find((o) => o.kind === kind && o.metadata?.name === name)
  if (found === undefined) throw new Error(`no ${kind} ${name}`)
  return found
}

function selects (selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v)
}

function env (container: Obj, name: string): string | undefined {
  return (container.env as Obj[] | undefined)?.find((e) => e.name === name)?.value
}

/** The rules, as a list of violations; the same function checks the shipped files and broken copies. */
function violations (all: Obj[]): string[] {
  const out: string[] = []
  const check = (ok: boolean, what: string): void => { if (!ok) out.push(what) }
  for (const o of all) check(typeof o.apiVersion === 'string' && typeof o.kind === 'string' && typeof o.metadata?.name === 'string', `${o.kind ?? '?'}: apiVersion, kind and metadata.name`)

  const deployment = find(all, 'Deployment', 'tensor-init')
  const pod = deployment.spec.template
  const labels = pod.metadata.labels as Record<string, string>
  check(deployment.apiVersion === 'apps/v1', 'Deployment apiVersion apps/v1')
  check(selects(deployment.spec.selector.matchLabels, labels), 'Deployment selector selects its pods')
  const [container] = pod.spec.containers as Obj[]
  check(container !== undefined && pod.spec.containers.length === 1, 'one container')
  if (container === undefined) return out
  check(/:[0-9]+\.[0-9]+\.[0-9]+$/.test(container.image), 'image pinned to a release tag')
  const http = (container.ports as Obj[]).find((p) => p.name === 'http')
  check(http?.containerPort === Number(env(container, 'PORT')), 'container port named http = PORT')
  check(env(container, 'HOST') === '0.0.0.0', 'HOST listens on all interfaces')
  // Every variable set must be one the service reads (src/config.ts), so a typo cannot hide.
  const known = new Set(Object.keys(ENV_SCHEMA.properties))
  for (const e of container.env as Obj[]) check(known.has(e.name), `env ${e.name} is read by the service`)
  check(container.readinessProbe?.httpGet?.path === '/readyz' && container.readinessProbe.httpGet.port === 'http', 'readiness on /readyz')
  check(container.livenessProbe?.httpGet?.path === '/healthz' && container.livenessProbe.httpGet.port === 'http', 'liveness on /healthz')
  check(container.startupProbe?.httpGet?.path === '/healthz', 'startup probe on /healthz')
  for (const kind of ['requests', 'limits']) {
    for (const resource of ['cpu', 'memory']) check(container.resources?.[kind]?.[resource] !== undefined, `resources.${kind}.${resource}`)
  }
  const preStop = container.lifecycle?.preStop?.exec?.command as string[] | undefined
  const sleep = preStop?.[0] === 'sleep' ? Number(preStop[1]) : Number.NaN
  check(Number.isFinite(sleep) && sleep > 0, 'preStop sleeps while the endpoint is removed')
  const graceMs = Number(env(container, 'SHUTDOWN_GRACE_MS'))
  check(Number.isFinite(graceMs), 'SHUTDOWN_GRACE_MS set')
  check(pod.spec.terminationGracePeriodSeconds > sleep + graceMs / 1000, 'terminationGracePeriodSeconds > preStop + SHUTDOWN_GRACE_MS')
  check(pod.spec.securityContext?.runAsNonRoot === true, 'runs as non-root')
  check(deployment.spec.strategy?.rollingUpdate?.maxUnavailable === 0, 'rollouts keep capacity')

  const service = find(all, 'Service', 'tensor-init')
  check(selects(service.spec.selector, labels), 'Service selects the Deployment\'s pods')
  check(service.spec.ports.every((p: Obj) => p.targetPort === 'http'), 'Service targets the http port')

  const hpa = find(all, 'HorizontalPodAutoscaler', 'tensor-init')
  check(hpa.apiVersion === 'autoscaling/v2', 'HPA autoscaling/v2')
  const target = hpa.spec.scaleTargetRef
  check(target.kind === 'Deployment' && target.name === deployment.metadata.name && target.apiVersion === 'apps/v1', 'HPA targets the Deployment')
  check(hpa.spec.minReplicas >= 2 && hpa.spec.maxReplicas >= hpa.spec.minReplicas, 'HPA 2 <= min <= max')
  const cpu = (hpa.spec.metrics as Obj[]).find((m) => m.resource?.name === 'cpu')
  check(cpu?.resource.target.type === 'Utilization' && container.resources?.requests?.cpu !== undefined, 'CPU utilization against a CPU request')

  const pdb = find(all, 'PodDisruptionBudget', 'tensor-init')
  check(selects(pdb.spec.selector.matchLabels, labels), 'PDB selects the Deployment\'s pods')
  check(pdb.spec.minAvailable < hpa.spec.minReplicas, 'PDB leaves room to drain a node')

  const cache = find(all, 'Deployment', 'tensor-init-cache')
  const cacheService = find(all, 'Service', 'tensor-init-cache')
  check(selects(cacheService.spec.selector, cache.spec.template.metadata.labels), 'cache Service selects the cache')
  check(!selects(service.spec.selector, cache.spec.template.metadata.labels), 'tensor-init Service does not select the cache')
  const nginx = cache.spec.template.spec.containers[0] as Obj
  for (const name of PLACEHOLDERS) check(env(nginx, name) !== undefined, `cache sets ${name}`)
  check(env(nginx, 'TENSOR_INIT_UPSTREAM') === `${service.metadata.name}:${service.spec.ports[0].port}`, 'cache upstream is the tensor-init Service')
  check(env(nginx, 'NGINX_LISTEN') === String(nginx.ports[0].containerPort), 'cache listens on its container port')
  const mount = (nginx.volumeMounts as Obj[]).find((m) => m.mountPath === '/etc/nginx/templates')
  const volume = (cache.spec.template.spec.volumes as Obj[]).find((v) => v.name === mount?.name)
  check(volume?.configMap?.name !== undefined, 'the template comes from a ConfigMap')
  return out
}

describe('deploy/k8s manifests', () => {
  test('parse as YAML, and the kustomization lists every manifest', () => {
    const kustomization = load('kustomization.yaml')[0]!
    const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort()
    expect([...kustomization.resources].sort()).toEqual(files)
    expect(manifests().map((o) => o.kind).sort()).toEqual(['Deployment', 'Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Service', 'Service'])
  })

  test('fit together: selectors, probes, graceful termination, autoscaling, cache wiring', () => {
    expect(violations(manifests())).toEqual([])
  })

  test('the rules catch broken copies', () => {
    const broken: Array<[string, (all: Obj[]) => void, RegExp]> = [
      ['no readiness probe', (all) => { delete find(all, 'Deployment', 'tensor-init').spec.template.spec.containers[0].readinessProbe }, /readiness/],
      ['short grace period', (all) => { find(all, 'Deployment', 'tensor-init').spec.template.spec.terminationGracePeriodSeconds = 30 }, /terminationGracePeriodSeconds/],
      ['Service selects nothing', (all) => { find(all, 'Service', 'tensor-init').spec.selector = { app: 'other' } }, /Service selects/],
      ['HPA on another target', (all) => { find(all, 'HorizontalPodAutoscaler', 'tensor-init').spec.scaleTargetRef.name = 'x' }, /HPA targets/],
      ['unknown variable', (all) => { find(all, 'Deployment', 'tensor-init').spec.template.spec.containers[0].env.push({ name: 'WORKERS', value: '2' }) }, /env WORKERS/],
      ['latest image', (all) => { find(all, 'Deployment', 'tensor-init').spec.template.spec.containers[0].image = 'tensor-init:latest' }, /image pinned/],
      ['no CPU request', (all) => { delete find(all, 'Deployment', 'tensor-init').spec.template.spec.containers[0].resources.requests.cpu }, /CPU utilization/],
      ['cache pointing elsewhere', (all) => { find(all, 'Deployment', 'tensor-init-cache').spec.template.spec.containers[0].env.find((e: Obj) => e.name === 'TENSOR_INIT_UPSTREAM').value = 'x:1' }, /cache upstream/]
    ]
    for (const [what, breakIt, message] of broken) {
      const all = manifests()
      breakIt(all)
      expect(violations(all).join('\n'), what).toMatch(message)
    }
  })
})
