//! The exponentials of a forward pass on the CPU backend, computed here over plain slices: burn's
//! CPU backend evaluates `exp` and `tanh` element by element through libm (natively ~3 and ~15 ns
//! an element; in the page, libm's scalar `expf` was a fifth of an ACDC run). Here `exp` is a
//! polynomial the compiler vectorises (SSE/AVX natively, simd128 in wasm), within 2 ulp of libm,
//! and natively the rows are split across rayon's threads. On any other backend (WebGPU) the
//! callers keep burn's tensor operations.

use burn::prelude::*;

/// Whether `t` lives on the CPU backend, where these kernels apply (not under autodiff, which
/// training uses: a kernel outside burn would cut the graph).
pub fn on_cpu<const D: usize>(t: &Tensor<D>) -> bool {
    let device = t.device();
    !device.is_autodiff() && device.as_dispatch() == Device::flex().as_dispatch()
}

/// `e^x` for f32, Cody–Waite range reduction and a degree-6 polynomial: relative error below
/// 2.5e-7 (2 ulp) where the result is a normal float; 0 below −103.9 (−∞ included), +∞ above
/// 88.73.
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    let underflow = x < -103.9;
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_145_75;
    const LN2_LO: f32 = 1.428_606_8e-6;
    // 1.5·2²³: adding it rounds to an integer held in the low mantissa bits.
    const MAGIC: f32 = 12_582_912.0;
    let x = x.clamp(-103.9, 88.73);
    let t = x * LOG2E + MAGIC;
    let n = t - MAGIC;
    let r = x - n * LN2_HI - n * LN2_LO;
    let p = 1.0 / 720.0;
    let p = p * r + 1.0 / 120.0;
    let p = p * r + 1.0 / 24.0;
    let p = p * r + 1.0 / 6.0;
    let p = p * r + 0.5;
    let p = p * r + 1.0;
    let p = p * r + 1.0;
    // 2^n in two halves so that n down to −150 (subnormal results) stays representable.
    let n = t.to_bits() as i32 - MAGIC.to_bits() as i32;
    let half = n >> 1;
    let scale_a = f32::from_bits(((half + 127) << 23) as u32);
    let scale_b = f32::from_bits(((n - half + 127) << 23) as u32);
    let y = p * scale_a * scale_b;
    if underflow { 0.0 } else { y }
}

/// Softmax over `dim`: this module's kernel on the CPU backend along the last dimension, burn's
/// otherwise.
pub fn softmax<const D: usize>(t: Tensor<D>, dim: usize) -> Tensor<D> {
    if dim + 1 == D && on_cpu(&t) { softmax_last(t) } else { burn::tensor::activation::softmax(t, dim) }
}

/// Log-softmax over `dim`, as [`softmax`].
pub fn log_softmax<const D: usize>(t: Tensor<D>, dim: usize) -> Tensor<D> {
    if dim + 1 == D && on_cpu(&t) { log_softmax_last(t) } else { burn::tensor::activation::log_softmax(t, dim) }
}

/// `f` applied to `t`'s elements in place, in rows of `row` elements (rows split across threads
/// natively and in the threaded wasm build).
fn map_rows<const D: usize>(t: Tensor<D>, row: usize, f: impl Fn(&mut [f32]) + Sync + Send) -> Tensor<D> {
    let (shape, device) = (t.shape(), t.device());
    let mut v: Vec<f32> = t.into_data().try_into_vec::<f32>().expect("an f32 tensor");
    // Enough rows per task that splitting pays (a task per ~16k elements); a tensor of one task
    // stays on this thread: handing it to the pool costs a wake-up and a wait for nothing (in the
    // threaded wasm build, where waking a Web Worker is slow, a fifth of a small model's run).
    #[cfg(any(not(target_arch = "wasm32"), target_feature = "atomics"))]
    {
        let task = row.max(1) * (16_384 / row.max(1)).max(1);
        if v.len() > task {
            use rayon::prelude::*;
            v.par_chunks_mut(task).for_each(|chunk| chunk.chunks_mut(row).for_each(&f));
            return Tensor::from_data(TensorData::new(v, shape), &device);
        }
    }
    v.chunks_mut(row).for_each(f);
    Tensor::from_data(TensorData::new(v, shape), &device)
}

/// GPT-2's GELU `0.5 x (1 + tanh(u))`, `u = √(2/π) (x + 0.044715 x³)`, written `x / (1 + e^{−2u})`
/// (the same function: `(1 + tanh u) / 2` is the logistic of `2u`).
pub fn gelu_new<const D: usize>(t: Tensor<D>) -> Tensor<D> {
    const C: f32 = 1.595_769_2; // 2·√(2/π)
    map_rows(t, 4096, |xs| {
        for x in xs {
            let v = *x;
            let u = C * (v + 0.044715 * v * v * v);
            *x = v / (1.0 + exp(-u));
        }
    })
}

/// Softmax over the last dimension (masked entries may be −∞ or a large negative number).
pub fn softmax_last<const D: usize>(t: Tensor<D>) -> Tensor<D> {
    let n = t.dims()[D - 1];
    map_rows(t, n, |row| {
        let max = max(row);
        row.iter_mut().for_each(|x| *x = exp(*x - max));
        let inv = 1.0 / sum(row);
        row.iter_mut().for_each(|x| *x *= inv);
    })
}

/// Log-softmax over the last dimension.
pub fn log_softmax_last<const D: usize>(t: Tensor<D>) -> Tensor<D> {
    let n = t.dims()[D - 1];
    map_rows(t, n, |row| {
        let max = max(row);
        let shift = max + fold_lanes(row, 0.0, |a, x| a + exp(x - max), |a, x| a + x).ln();
        row.iter_mut().for_each(|x| *x -= shift);
    })
}

/// Lanes of the reductions: independent accumulators the compiler can keep in SIMD registers
/// (a single f32 accumulator is a serial chain it may not reorder).
const LANES: usize = 16;

/// `f` folded over `xs` in [`LANES`] interleaved accumulators from `init`, which `combine` then
/// folds into one.
#[inline(always)]
fn fold_lanes(xs: &[f32], init: f32, f: impl Fn(f32, f32) -> f32, combine: impl Fn(f32, f32) -> f32) -> f32 {
    let mut lanes = [init; LANES];
    let chunks = xs.chunks_exact(LANES);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (l, &x) in lanes.iter_mut().zip(chunk) {
            *l = f(*l, x);
        }
    }
    for (l, &x) in lanes.iter_mut().zip(rest) {
        *l = f(*l, x);
    }
    lanes.into_iter().fold(init, combine)
}

fn sum(xs: &[f32]) -> f32 {
    fold_lanes(xs, 0.0, |a, x| a + x, |a, x| a + x)
}

/// The largest element (a comparison rather than `f32::max`, whose NaN rule keeps wasm from
/// vectorising it; a NaN row stays NaN through the exponentials anyway).
fn max(xs: &[f32]) -> f32 {
    let larger = |m: f32, x: f32| if x > m { x } else { m };
    fold_lanes(xs, f32::NEG_INFINITY, larger, larger)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_is_within_two_ulp_of_libm_everywhere() {
        let mut worst = 0f64;
        let mut x = -103.0f32;
        while x < 88.7 {
            let (got, want) = (f64::from(exp(x)), f64::from(x).exp());
            if want > 1.2e-38 {
                worst = worst.max((got - want).abs() / want);
            }
            x += 0.000_37;
        }
        assert!(worst < 2.5e-7, "relative error {worst}");
        assert_eq!(exp(-200.0), 0.0);
        assert_eq!(exp(f32::NEG_INFINITY), 0.0);
        assert_eq!(exp(0.0), 1.0);
        assert!(exp(100.0).is_infinite() || exp(100.0) > 1e38);
    }

    #[test]
    fn the_kernels_equal_burns_tensor_operations() {
        let device = crate::device::cpu();
        let xs: Vec<f32> = (0..3 * 50).map(|i| ((i * 37 % 101) as f32 - 50.0) * 0.37).collect();
        let t = Tensor::<2>::from_data(TensorData::new(xs, [3, 50]), &device);
        let close = |a: Tensor<2>, b: Tensor<2>, tol: f32| {
            let (a, b): (Vec<f32>, Vec<f32>) = (a.into_data().try_into_vec().unwrap(), b.into_data().try_into_vec().unwrap());
            for (x, y) in a.iter().zip(&b) {
                assert!((x - y).abs() <= tol * y.abs().max(1.0), "{x} vs {y}");
            }
        };
        close(softmax_last(t.clone()), burn::tensor::activation::softmax(t.clone(), 1), 1e-6);
        close(log_softmax_last(t.clone()), burn::tensor::activation::log_softmax(t.clone(), 1), 1e-6);
        let inner = (t.clone() + t.clone().powi_scalar(3) * 0.044715) * (2.0 / std::f64::consts::PI).sqrt();
        close(gelu_new(t.clone()), t.clone() * (inner.tanh() + 1.0) * 0.5, 1e-6);
        assert!(on_cpu(&t));
    }
}
