import Type from 'typebox'

// EngineInfo (referenced below) is the engines' own schema, src/engines/engine-info.ts: the
// gateway checks its hosts' /readyz with it.
export const HealthSchema = Type.Object({
  status: Type.Literal('ok')
}, { $id: 'Health', title: 'Health', additionalProperties: false })

export const ReadinessSchema = Type.Object({
  status: Type.Literal('ready'),
  version: Type.Optional(Type.String({ description: 'Service version (absent when API keys are configured and none was sent).' })),
  engine: Type.Optional(Type.Ref('EngineInfo', { description: 'The engine (absent when API keys are configured and none was sent: no internal details without a key).' }))
}, { $id: 'Readiness', title: 'Readiness', additionalProperties: false })
