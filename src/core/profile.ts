/**
 * Profiles pin the exact float recipe (design §1 "Profiles"). `mlx-0.32` reproduces current MLX and
 * is the default; `mlx-0.13` reproduces MLX 0.13.1 as bundled in @frost-beta/mlx@0.0.7.
 * See reference/mlx-random-spec.md b.5-b.14 (0.13) and b.13 (what changed).
 */
export const PROFILES = ['mlx-0.32', 'mlx-0.13'] as const
export type Profile = typeof PROFILES[number]

export const DEFAULT_PROFILE: Profile = 'mlx-0.32'

const ALIASES: Record<string, Profile> = {
  mlx: 'mlx-0.32',
  'mlx-0.32': 'mlx-0.32',
  'mlx-0.13': 'mlx-0.13'
}

/** The profile a name resolves to, or undefined when it names none. */
export function resolveProfile (name: string | undefined): Profile | undefined {
  if (name === undefined) return DEFAULT_PROFILE
  return ALIASES[name]
}

export const PROFILE_NAMES: readonly string[] = Object.keys(ALIASES)
