/**
 * The part of the node-mlx 0.0.7 API (`core`, spelled `mx` here) the engine uses, typed by hand.
 * The package's own lib/index.d.ts re-exports its TypeScript sources (lib/nn/*.ts), which do not
 * compile under this project's settings, and it misses arguments the binding takes (argsort's
 * axis). Signatures follow the binding as called here; every one is exercised by the tests.
 */

export interface MxDtype { readonly size: number }

/** An MLX device or its type tag (mx.cpu / mx.gpu), accepted wherever MLX takes a stream. */
export type MxDeviceType = number

export interface MxDevice { readonly type: MxDeviceType }

export interface MxSlice { start: number | null, stop: number | null, step: number | null }

export interface MxArray {
  readonly shape: number[]
  readonly ndim: number
  readonly size: number
  readonly itemsize: number
  readonly dtype: MxDtype
  astype (dtype: MxDtype): MxArray
  reshape (shape: number[]): MxArray
  index (...index: Array<MxSlice | number | MxArray>): MxArray
  item (): number | boolean
  tolist (): unknown
}

type Operand = MxArray | number

export interface Mx {
  readonly float32: MxDtype
  readonly float16: MxDtype
  readonly bfloat16: MxDtype
  readonly uint32: MxDtype
  readonly uint16: MxDtype
  readonly bool: MxDtype
  readonly cpu: MxDeviceType
  readonly gpu: MxDeviceType
  defaultDevice (): MxDevice
  Slice (start?: number | null, stop?: number | null, step?: number | null): MxSlice

  array (value: number | boolean | Array<number | boolean>, dtype?: MxDtype): MxArray
  arange (start: number, stop: number, step: number, dtype: MxDtype): MxArray
  full (shape: number[], value: number, dtype: MxDtype): MxArray
  zeros (shape: number[], dtype: MxDtype): MxArray
  eye (n: number, m: number, k: number, dtype: MxDtype): MxArray
  concatenate (arrays: MxArray[], axis?: number): MxArray
  flatten (array: MxArray): MxArray

  add (a: Operand, b: Operand): MxArray
  subtract (a: Operand, b: Operand): MxArray
  multiply (a: Operand, b: Operand): MxArray
  divide (a: Operand, b: Operand): MxArray
  remainder (a: Operand, b: Operand): MxArray
  minimum (a: Operand, b: Operand): MxArray
  maximum (a: Operand, b: Operand): MxArray
  equal (a: Operand, b: Operand): MxArray
  less (a: Operand, b: Operand): MxArray
  lessEqual (a: Operand, b: Operand): MxArray
  logicalAnd (a: Operand, b: Operand): MxArray
  bitwiseOr (a: Operand, b: Operand): MxArray
  leftShift (a: Operand, b: Operand): MxArray
  where (condition: MxArray, x: Operand, y: Operand): MxArray
  erf (a: MxArray): MxArray
  erfinv (a: MxArray): MxArray
  argsort (a: MxArray, axis: number, stream?: MxDeviceType): MxArray
  arrayEqual (a: MxArray, b: MxArray): MxArray

  eval (...arrays: MxArray[]): void
  save (path: string, array: MxArray): void
  load (path: string): MxArray

  readonly random: {
    key (seed: number): MxArray
    split (key: MxArray, num?: number): MxArray
    uniform (low: Operand, high: Operand, shape: number[], dtype: MxDtype, key: MxArray): MxArray
    normal (shape: number[], dtype: MxDtype, loc: number, scale: number, key: MxArray): MxArray
    truncatedNormal (lower: Operand, upper: Operand, shape: number[], dtype: MxDtype, key: MxArray): MxArray
  }
  readonly metal: { isAvailable (): boolean }
}
