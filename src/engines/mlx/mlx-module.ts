import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { TensorInitError } from '../../core/errors.ts'
import type { Mx } from './mlx-api.ts'

/**
 * Loading MLX through the Node bindings `@frost-beta/mlx` (design §3 "Engines"). The package is an
 * optional dependency: its native module needs liblapack/libblas on Linux and the Metal build on
 * macOS, so loading can fail on a host that installed fine. Everything else in this directory takes
 * the loaded module as an argument and never imports the package itself.
 */

export type { Mx, MxArray, MxDtype } from './mlx-api.ts'

export const MLX_PACKAGE = '@frost-beta/mlx'

/**
 * Binding versions this engine is built for, with the MLX commit inside. Profile `mlx-0.13` is
 * defined as what MLX 0.13.1 (node-mlx 0.0.7, deps/mlx e6fecbb3) computes, so a different binding
 * would silently change bytes that callers cache forever; refuse it instead (spec (a)).
 */
export const SUPPORTED_BINDINGS: Readonly<Record<string, string>> = {
  '0.0.7': '0.13.1'
}

export interface LoadedMlx {
  mx: Mx
  /** Version of the bindings package, e.g. "0.0.7". */
  bindingVersion: string
  /** Version of the MLX library inside, e.g. "0.13.1". */
  mlxVersion: string
}

/** MLX cannot be used on this host; `message` says why and what to do. */
export class MlxUnavailableError extends TensorInitError {
  constructor (message: string, cause?: unknown) {
    super('engine-unavailable', message)
    this.name = 'MlxUnavailableError'
    if (cause !== undefined) this.cause = cause
  }
}

/**
 * The MLX version inside a bindings version, or an MlxUnavailableError for bindings this engine
 * was not built for.
 */
export function mlxVersionOf (bindingVersion: string): string {
  const mlxVersion = SUPPORTED_BINDINGS[bindingVersion]
  if (mlxVersion === undefined) {
    throw new MlxUnavailableError(
      `${MLX_PACKAGE} ${bindingVersion} is installed, but the mlx engine reproduces profile mlx-0.13 with ` +
      `the MLX inside ${MLX_PACKAGE} ${Object.keys(SUPPORTED_BINDINGS).join(' or ')}; install that version.`)
  }
  return mlxVersion
}

const require = createRequire(import.meta.url)

/** The package.json of the package that owns `entry` (the first one found walking up). */
function packageVersion (entry: string): string | undefined {
  for (let dir = dirname(entry); ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: unknown }
      return typeof pkg.version === 'string' ? pkg.version : undefined
    } catch {
      if (dirname(dir) === dir) return undefined
    }
  }
}

/**
 * Loads the bindings (a package name or a path; tests inject a module that fails the way a host
 * without the native libraries does) and checks the version. Throws MlxUnavailableError.
 */
export function loadMlx (specifier: string = MLX_PACKAGE): LoadedMlx {
  let entry: string
  let mod: { core?: Mx }
  try {
    entry = require.resolve(specifier)
    mod = require(entry) as { core?: Mx }
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err)
    throw new MlxUnavailableError(
      `Cannot load MLX from '${specifier}': ${reason}. Install the optional dependency ${MLX_PACKAGE}@0.0.7 ` +
      '(on Linux it also needs the liblapack3 and libblas3 packages; on macOS arm64 run ' +
      '`npm rebuild @frost-beta/mlx --ignore-scripts=false` to fetch the Metal build, see docs/mac-hosts.md).',
      err)
  }
  if (mod.core === undefined || typeof mod.core.random?.uniform !== 'function') {
    throw new MlxUnavailableError(`'${specifier}' loaded, but it is not the MLX bindings (no core.random).`)
  }
  const bindingVersion = packageVersion(entry) ?? 'unknown'
  return { mx: mod.core, bindingVersion, mlxVersion: mlxVersionOf(bindingVersion) }
}

/** 'gpu' when MLX's default device is the Metal GPU (Apple silicon), else 'cpu'. */
export function mlxDevice (mx: Mx): 'cpu' | 'gpu' {
  return mx.defaultDevice().type === mx.gpu ? 'gpu' : 'cpu'
}
