import { describe, expect, it } from 'vitest'
import { checkpointEtag, tensorEtag } from '../../src/http/etag.ts'
import { ETAG_PLAN_FIELDS } from '../../src/core/plan-digest.ts'
import { canonicalJson } from '../../src/core/canonical-json.ts'
import { listInitializers } from '../../src/initializers/catalog.ts'
import { buildPlan } from '../../src/initializers/build-plan.ts'
import type { Plan } from '../../src/core/plan.ts'

/**
 * The tag names exactly the bytes: every field of every plan enters it (the type check in etag.ts
 * covers Plan's declared fields; this covers what the plan builder really puts in a plan), and a
 * change to any one of them, to the format, the exactness class or the body's extra part changes it.
 */

const EXACT = { class: 'exact' } as const

/** Parameters without a default. */
const REQUIRED: Record<string, Record<string, unknown>> = {
  constant: { value: 0.5 },
  sparse: { sparsity: 0.5 },
  'torch.sparse_': { sparsity: 0.5 },
  'torch.constant_': { val: 0.5 },
  'jax.constant': { value: 0.5 },
  'jax.variance_scaling': { scale: 2, mode: 'fan_in', distribution: 'normal' }
}

function plansOfEveryEntry (): Plan[] {
  const plans: Plan[] = []
  for (const entry of listInitializers()) {
    for (const shape of [[6, 4], [3, 4, 5], [4, 4]]) {
      try {
        plans.push(buildPlan({ initializer: entry.id, shape, dtype: entry.dtypes[0], seed: 11, params: REQUIRED[entry.id] ?? {} }, 'json'))
        break
      } catch {
        // this entry needs another shape (e.g. a square one, or rank 3)
      }
    }
  }
  return plans
}

describe('tensorEtag', () => {
  const plans = plansOfEveryEntry()

  it('builds a plan for every catalog entry', () => {
    expect(plans.map((p) => p.initializer)).toEqual(listInitializers().map((e) => e.id))
  })

  it('covers every field the plan builder puts in a plan', () => {
    for (const plan of plans) {
      expect(Object.keys(plan).filter((k) => !(ETAG_PLAN_FIELDS as readonly string[]).includes(k)), plan.initializer).toEqual([])
    }
  })

  it('gives distinct tags to distinct plans and equal tags to equal ones', () => {
    const tags = new Set(plans.map((p) => tensorEtag(p, 'raw', EXACT)))
    expect(tags.size).toBe(plans.length)
    expect(new Set(plans.map((p) => tensorEtag(p, 'npy', EXACT))).size).toBe(plans.length)
    const again = plansOfEveryEntry()
    expect(again.map((p) => tensorEtag(p, 'raw', EXACT))).toEqual(plans.map((p) => tensorEtag(p, 'raw', EXACT)))
  })

  it('changes when any single field, the format, the exactness or the extra part changes', () => {
    const plan = buildPlan({ initializer: 'he_normal', shape: [8, 4], seed: 5 }, 'json')
    const base = tensorEtag(plan, 'raw', EXACT)
    const variants: Plan[] = [
      { ...plan, initializer: 'he_uniform' },
      { ...plan, params: { ...plan.params, mode: 'fan_out' } },
      { ...plan, recipe: { ...plan.recipe, scale: 2 } as Plan['recipe'] },
      { ...plan, profile: 'mlx-0.13' },
      { ...plan, keys: [[plan.keys[0]![0], plan.keys[0]![1] + 1]] },
      { ...plan, keySource: { kind: 'seed', seed: '5', draw: 1 } },
      { ...plan, shape: [4, 8] },
      { ...plan, dtype: 'bfloat16' },
      { ...plan, mlxExact: !plan.mlxExact }
    ]
    expect(variants.length).toBe(ETAG_PLAN_FIELDS.length)
    const tags = variants.map((v) => tensorEtag(v, 'raw', EXACT))
    expect(new Set([base, ...tags]).size).toBe(variants.length + 1)
    expect(tensorEtag(plan, 'npy', EXACT)).not.toBe(base)
    expect(tensorEtag(plan, 'raw', { class: 'close', ulp: 2 })).not.toBe(base)
    expect(tensorEtag(plan, 'raw', EXACT, { format: 'pt' })).not.toBe(base)
    expect(base).toMatch(/^"[A-Za-z0-9_-]{43}"$/)
  })

  it('does not depend on the order of object keys', () => {
    const plan = buildPlan({ initializer: 'uniform', shape: [3], seed: 2, params: { low: -1, high: 1 } }, 'json')
    const reordered: Plan = { ...plan, params: Object.fromEntries(Object.entries(plan.params).reverse()) }
    expect(canonicalJson(reordered.params)).toBe(canonicalJson(plan.params))
    expect(tensorEtag(reordered, 'raw', EXACT)).toBe(tensorEtag(plan, 'raw', EXACT))
  })
})

describe('checkpointEtag', () => {
  const plansOf = (): Plan[] => [
    buildPlan({ initializer: 'glorot_uniform', shape: [8, 4], seed: 1 }, 'json'),
    buildPlan({ initializer: 'normal', shape: [4], seed: 1, draw: 1, params: { std: 0.02 } }, 'json'),
    buildPlan({ initializer: 'he_normal', shape: [3, 3], dtype: 'bfloat16', seed: 1, draw: 2 }, 'json')
  ]
  const metadata = { format: 'pt', 'tensor_init.version': '1.0.0' }

  it('is equal for equal plans, metadata and class, and has the shape of a tensor tag', async () => {
    const tag = await checkpointEtag(plansOf(), metadata, EXACT)
    expect(await checkpointEtag(plansOf(), { ...metadata }, { class: 'exact' })).toBe(tag)
    expect(tag).toMatch(/^"[A-Za-z0-9_-]{43}"$/)
  })

  it('changes when any one tensor\'s plan changes, in any field', async () => {
    const base = await checkpointEtag(plansOf(), metadata, EXACT)
    const tags = new Set([base])
    for (let j = 0; j < plansOf().length; j++) {
      const plan = plansOf()[j]!
      const variants: Plan[] = [
        { ...plan, initializer: 'he_uniform' },
        { ...plan, params: { ...plan.params, extra: 1 } },
        { ...plan, recipe: { ...plan.recipe, scale: 2 } as Plan['recipe'] },
        { ...plan, profile: 'mlx-0.13' },
        { ...plan, keys: [[plan.keys[0]![0], plan.keys[0]![1] + 1]] },
        { ...plan, keySource: { kind: 'seed', seed: '1', draw: 7 } },
        { ...plan, shape: [...plan.shape, 1] },
        { ...plan, dtype: plan.dtype === 'float64' ? 'float32' : 'float64' },
        { ...plan, mlxExact: !plan.mlxExact }
      ]
      expect(variants.length).toBe(ETAG_PLAN_FIELDS.length)
      for (const variant of variants) {
        const plans = plansOf()
        plans[j] = variant
        tags.add(await checkpointEtag(plans, metadata, EXACT))
      }
    }
    expect(tags.size).toBe(1 + plansOf().length * ETAG_PLAN_FIELDS.length)
  })

  it('changes with the byte order, the tensor count, the metadata and the exactness class', async () => {
    const plans = plansOf()
    const base = await checkpointEtag(plans, metadata, EXACT)
    const others = [
      await checkpointEtag([plans[1]!, plans[0]!, plans[2]!], metadata, EXACT),
      await checkpointEtag(plans.slice(0, 2), metadata, EXACT),
      await checkpointEtag(plans, { ...metadata, 'tensor_init.version': '1.0.1' }, EXACT),
      await checkpointEtag(plans, metadata, { class: 'close', ulp: 2 })
    ]
    expect(new Set([base, ...others]).size).toBe(others.length + 1)
  })

  it('is never the tag of a single tensor with the same plan', async () => {
    const [plan] = plansOf()
    expect(await checkpointEtag([plan!], {}, EXACT)).not.toBe(tensorEtag(plan!, 'safetensors', EXACT, {}))
  })
})
