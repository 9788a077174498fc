export { executeRange } from './execute.ts'
export type { KernelFor, KernelRegistry } from './kernel.ts'
export { kernels, registerKernel, MLX_EXACT_KINDS } from './registry.ts'
export { checkOrthogonalSize, ORTHOGONAL_MAX_FLOPS, ORTHOGONAL_MAX_N, orthogonalFlops, orthogonalMatrix, orthogonalQ } from './orthogonal.ts'
