/**
 * The layer rules of docs/architecture.md, enforced in `npm run lint`:
 *   core -> random, formats -> initializers -> engines -> http -> app, server, config
 * Each layer imports only from layers below it (and from itself); nothing imports in a circle.
 * Paths are relative to the repository; only src/ is cruised.
 */
const layer = (name, allowed) => ({
  name: `${name}-imports-only-below`,
  comment: `src/${name} may import only from ${allowed.length === 0 ? 'itself' : allowed.map((a) => `src/${a}`).join(', ')} (docs/architecture.md).`,
  severity: 'error',
  from: { path: `^src/${name}/` },
  to: {
    path: '^src/',
    pathNot: [`^src/${name}/`, ...allowed.map((a) => `^src/${a}/`)]
  }
})

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Modules never import one another in a circle, directly or through others.',
      severity: 'error',
      from: {},
      to: { circular: true }
    },
    layer('core', []),
    layer('random', ['core']),
    layer('formats', ['core']),
    layer('initializers', ['core', 'random']),
    layer('engines', ['core', 'random', 'formats', 'initializers']),
    layer('http', ['core', 'formats', 'initializers', 'engines']),
    {
      name: 'top-level-is-imported-by-top-level-only',
      comment: 'app.ts, server.ts, config.ts and logger.ts sit above every layer: no layer imports them.',
      severity: 'error',
      from: { path: '^src/[^/]+/' },
      to: { path: '^src/[^/]+\\.ts$' }
    },
    {
      name: 'only-known-folders',
      comment: 'Every module of src/ belongs to a layer (or is app.ts, server.ts, config.ts, logger.ts).',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(core|random|formats|initializers|engines|http)/|^src/(app|server|config|logger)\\.ts$' },
      to: {}
    },
    {
      name: 'no-unresolvable',
      comment: 'Every import resolves to a file or an installed package.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true }
    },
    {
      name: 'no-dev-dependencies-in-src',
      comment: 'The service does not import devDependencies (they are absent from the Docker image).',
      severity: 'error',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev'] }
    }
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    moduleSystems: ['es6', 'cjs']
  }
}
