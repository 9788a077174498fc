import Type from 'typebox'

// EngineInfo (referenced below) is the engines' own schema, src/engines/engine-info.ts: the
// gateway checks its hosts' /readyz with it.
export const HealthSchema = Type.Object({
  status: Type.Literal('ok')
}, { $id: 'Health', title: 'Health', additionalProperties: false })

export const ReadinessSchema = Type.Object({
  status: Type.Literal('ready'),
  version: Type.String({ description: 'Service version.' }),
  engine: Type.Ref('EngineInfo')
}, { $id: 'Readiness', title: 'Readiness', additionalProperties: false })
