/**
 * glibc's logf (2.27+, the ARM optimized-routines algorithm; spec b.10) on four float32 lanes.
 *
 * Evaluated in plain double arithmetic: by spec b.10 "exhaustive result 2" the float32 result
 * is then identical to glibc's FMA build for every normal float32, and the only caller
 * (erfinv's t = 1 - a*a with |a| <= 1 - 2^-24, so t >= 2^-23) passes normal floats in (0, 1].
 * The 16-entry (invc, logc) tables are read with per-lane loads: wasm SIMD has no gather.
 */

// The tables of spec b.10 (hex floats there); shortest round-trip decimals are exact doubles.
const INVC: usize = memory.data<f64>([
  1.398907162146528, 1.3403141896637998, 1.286432210124115, 1.2367150214269895,
  1.1906977166711752, 1.1479821020556429, 1.1082251448272158, 1.0711297413057381,
  1.036437278977283, 1.0, 0.9492859795739057, 0.8951049428609004,
  0.8476821620351103, 0.8050314851692001, 0.7664671008843108, 0.731428603316328
])

const LOGC: usize = memory.data<f64>([
  -0.33569133332882284, -0.2929040563774074, -0.2518726580937369, -0.21245868807117255,
  -0.17453945183745634, -0.1380057072319758, -0.10275976698545139, -0.06871392447020525,
  -0.0357891387398228, 0.0, 0.05204517742929496, 0.11081431298787942,
  0.1652495223695143, 0.21687389031699977, 0.2659635028121397, 0.3127556664073557
])

// Ln2, A0, A1, A2 of spec b.10.
const LN2: f64 = 0.6931471805599453 // 0x1.62e42fefa39efp-1
const A0: f64 = -0.25089342214237154 // -0x1.00ea348b88334p-2
const A1: f64 = 0.333456765744066 // 0x1.5575b0be00b6ap-2
const A2: f64 = -0.4999997485802103 // -0x1.ffffef20a4123p-2

/** The body of b.10 for two lanes: z and k as doubles, i0 / i1 the table rows. */
function logPair (z: v128, k: v128, i0: u32, i1: u32): v128 {
  let invc = v128.load64_zero(INVC + (<usize>i0 << 3))
  invc = v128.load64_lane(INVC + (<usize>i1 << 3), invc, 1)
  let logc = v128.load64_zero(LOGC + (<usize>i0 << 3))
  logc = v128.load64_lane(LOGC + (<usize>i1 << 3), logc, 1)
  const r = f64x2.sub(f64x2.mul(z, invc), f64x2.splat(1.0))
  const y0 = f64x2.add(f64x2.mul(k, f64x2.splat(LN2)), logc)
  const r2 = f64x2.mul(r, r)
  let y = f64x2.add(f64x2.mul(f64x2.splat(A1), r), f64x2.splat(A2))
  y = f64x2.add(f64x2.mul(f64x2.splat(A0), r2), y)
  return f64x2.add(f64x2.mul(y, r2), f64x2.add(y0, r))
}

/** Lanes 2-3 of the last logf4, beside its return value (lanes 0-1). */
export let LOGF_HI: v128 = f64x2.splat(0)

/**
 * logf of four normal positive float32 lanes, rounded once to float32 (RN32 of b.10) and
 * returned as doubles for the erfinv polynomial: lanes 0-1 returned, lanes 2-3 in LOGF_HI.
 */
export function logf4 (x: v128): v128 {
  const tmp = i32x4.sub(x, i32x4.splat(0x3f330000))
  const idx = v128.and(i32x4.shr_u(tmp, 19), i32x4.splat(15))
  const k = i32x4.shr_s(tmp, 23)
  const z = i32x4.sub(x, v128.and(tmp, i32x4.splat(0xff800000)))
  const zl = f64x2.promote_low_f32x4(z)
  const zh = f64x2.promote_low_f32x4(i64x2.shuffle(z, z, 1, 1))
  const kl = f64x2.convert_low_i32x4_s(k)
  const kh = f64x2.convert_low_i32x4_s(i64x2.shuffle(k, k, 1, 1))
  const yl = logPair(zl, kl, i32x4.extract_lane(idx, 0), i32x4.extract_lane(idx, 1))
  const yh = logPair(zh, kh, i32x4.extract_lane(idx, 2), i32x4.extract_lane(idx, 3))
  LOGF_HI = f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(yh))
  return f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(yl))
}
