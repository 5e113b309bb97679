//! The dtype-independent sketch of one tensor: a fixed-seed count-sketch (a sparse random projection) of
//! the tensor's values converted to f32 and centred, in `K` buckets. Cosine similarity of two sketches
//! estimates the cosine similarity of the two centred tensors (element by element, in storage order):
//! about 1 for a copy, a cast (bf16/fp16/fp32) or a lightly trained copy, about N(0, 1/K) for two
//! independent tensors of the same shape. See docs/models.md for why this view and its limits.
//!
//! Cost per element: one sign multiply and one add into a bucket that advances with the element's index
//! (vectorisable); every `CHUNK` elements the chunk's buckets are added, rotated by a hash of the chunk
//! number, into the running sketch.

use std::sync::OnceLock;

/// Buckets of a sketch.
pub const K: usize = 256;
/// Elements per chunk (a multiple of `K`): the sign pattern repeats per chunk, the rotation changes.
const CHUNK: usize = 4096;
/// The fixed seed (any change makes old fingerprint files incomparable: it is part of the format).
pub const SEED: u64 = 0x5EED_F1A6_E3B1_2026;

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

struct Tables {
    signs: Vec<f32>,
    /// Per bucket, the sum of the chunk's signs falling into it (the sketch of a chunk of ones).
    ones: [f32; K],
}

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let signs: Vec<f32> =
            (0..CHUNK as u64).map(|i| if splitmix(SEED ^ i) & 1 == 0 { 1.0 } else { -1.0 }).collect();
        let mut ones = [0f32; K];
        for (j, s) in signs.iter().enumerate() {
            ones[j % K] += s;
        }
        Tables { signs, ones }
    })
}

fn rotation(chunk: u64) -> usize {
    (splitmix(SEED.rotate_left(17) ^ chunk) as usize) & (K - 1)
}

/// A running sketch of one tensor.
pub struct Sketcher {
    y: [f64; K],
    ones: [f64; K],
    n: u64,
    sum: f64,
    acc: [f32; K],
    sacc: [f32; K],
    /// Fill of the current chunk.
    fill: usize,
}

impl Default for Sketcher {
    fn default() -> Self {
        Sketcher { y: [0.0; K], ones: [0.0; K], n: 0, sum: 0.0, acc: [0.0; K], sacc: [0.0; K], fill: 0 }
    }
}

/// What a finished sketch gives.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Unit-norm sketch of the centred values (all zeros for a constant tensor).
    pub sketch: Vec<f32>,
    pub mean: f64,
}

impl Sketcher {
    /// Adds values (in storage order). Each bucket lane sums its values in element order, so the result
    /// does not depend on how the values are split into calls.
    pub fn update(&mut self, mut xs: &[f32]) {
        let t = tables();
        while !xs.is_empty() {
            let take = (CHUNK - self.fill).min(xs.len());
            let (head, rest) = xs.split_at(take);
            let signs = &t.signs[self.fill..self.fill + take];
            if self.fill == 0 && take == CHUNK {
                for (xb, sb) in head.chunks_exact(K).zip(signs.chunks_exact(K)) {
                    for b in 0..K {
                        let x = xb[b];
                        self.acc[b] += sb[b] * x;
                        self.sacc[b] += x;
                    }
                }
            } else {
                for (i, (&x, &sg)) in head.iter().zip(signs).enumerate() {
                    let b = (self.fill + i) % K;
                    self.acc[b] += sg * x;
                    self.sacc[b] += x;
                }
            }
            self.fill += take;
            self.n += take as u64;
            if self.fill == CHUNK {
                self.flush(true);
            }
            xs = rest;
        }
    }

    fn flush(&mut self, full: bool) {
        let chunk = (self.n - self.fill as u64) / CHUNK as u64;
        let r = rotation(chunk);
        let t = tables();
        let mut part = [0f32; K];
        let ones = if full {
            &t.ones
        } else {
            for (j, s) in t.signs[..self.fill].iter().enumerate() {
                part[j % K] += s;
            }
            &part
        };
        for (b, (a, o)) in self.acc.iter().zip(ones.iter()).enumerate() {
            let d = (b + r) & (K - 1);
            self.y[d] += *a as f64;
            self.ones[d] += *o as f64;
        }
        self.sum += self.sacc.iter().map(|x| *x as f64).sum::<f64>();
        self.acc = [0.0; K];
        self.sacc = [0.0; K];
        self.fill = 0;
    }

    /// The centred, unit-norm sketch and the values' mean.
    pub fn finish(mut self) -> Summary {
        if self.fill > 0 {
            self.flush(false);
        }
        let n = self.n.max(1) as f64;
        let mean = self.sum / n;
        let norm2 = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
        // What the sketch would be if the tensor were constant: the centred signal must stand above the
        // rounding noise of that size.
        let scale = norm2(&self.y) + mean.abs() * norm2(&self.ones);
        let mut v: Vec<f64> = self.y.iter().zip(&self.ones).map(|(y, o)| y - mean * o).collect();
        let norm = norm2(&v);
        if norm <= scale * 1e-5 || norm == 0.0 || !norm.is_finite() {
            v.iter_mut().for_each(|x| *x = 0.0);
        } else {
            v.iter_mut().for_each(|x| *x /= norm);
        }
        Summary { sketch: v.into_iter().map(|x| x as f32).collect(), mean }
    }
}

/// Cosine of two unit sketches (0 when either is empty or all zeros).
pub fn cosine(a: &[f32], b: &[f32]) -> f64 {
    if a.len() != b.len() {
        return 0.0;
    }
    let mut s = 0f32;
    for (x, y) in a.iter().zip(b) {
        s += x * y;
    }
    (s as f64).clamp(-1.0, 1.0)
}

/// IEEE half → f32, by table.
pub fn f16_table() -> &'static [f32] {
    static T: OnceLock<Vec<f32>> = OnceLock::new();
    T.get_or_init(|| (0..=u16::MAX).map(f16_to_f32).collect())
}

fn f16_to_f32(h: u16) -> f32 {
    let sign = ((h >> 15) as u32) << 31;
    let exp = ((h >> 10) & 0x1f) as u32;
    let frac = (h & 0x3ff) as u32;
    let bits = match (exp, frac) {
        (0, 0) => sign,
        (0, f) => {
            // Subnormal: normalise.
            let mut e = 127 - 15 + 1;
            let mut f = f;
            while f & 0x400 == 0 {
                f <<= 1;
                e -= 1;
            }
            sign | ((e as u32) << 23) | ((f & 0x3ff) << 13)
        }
        (0x1f, f) => sign | 0x7f80_0000 | (f << 13),
        (e, f) => sign | ((e + 127 - 15) << 23) | (f << 13),
    };
    f32::from_bits(bits)
}

/// f32 → IEEE half (round to nearest even), for tests and the bench that write fp16 models.
pub fn f32_to_f16(x: f32) -> u16 {
    let bits = x.to_bits();
    let sign = ((bits >> 16) & 0x8000) as u16;
    let exp = ((bits >> 23) & 0xff) as i32;
    let mant = bits & 0x7f_ffff;
    if exp == 0xff {
        return sign | 0x7c00 | if mant != 0 { 0x200 } else { 0 };
    }
    let e = exp - 127 + 15;
    if e >= 0x1f {
        return sign | 0x7c00;
    }
    if e <= 0 {
        if e < -10 {
            return sign;
        }
        let m = mant | 0x80_0000;
        let shift = (14 - e) as u32;
        let half = 1u32 << (shift - 1);
        let mut r = m >> shift;
        let rem = m & ((1 << shift) - 1);
        if rem > half || (rem == half && r & 1 == 1) {
            r += 1;
        }
        return sign | r as u16;
    }
    let mut r = ((e as u32) << 10) | (mant >> 13);
    let rem = mant & 0x1fff;
    if rem > 0x1000 || (rem == 0x1000 && r & 1 == 1) {
        r += 1;
    }
    sign | r as u16
}

/// Element types whose values the sketch reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Elem {
    F32,
    F16,
    Bf16,
    F64,
    /// GGUF Q8_0: blocks of 32 values, an f16 scale then 32 i8.
    Q8_0,
    /// GGUF Q4_0: blocks of 32 values, an f16 scale then 16 bytes of nibbles (value - 8).
    Q4_0,
}

impl Elem {
    /// Bytes and values per block.
    pub fn block(self) -> (usize, usize) {
        match self {
            Elem::F32 => (4, 1),
            Elem::F16 | Elem::Bf16 => (2, 1),
            Elem::F64 => (8, 1),
            Elem::Q8_0 => (34, 32),
            Elem::Q4_0 => (18, 32),
        }
    }

    /// Converts whole blocks of raw little-endian bytes to f32 into `out` (cleared first). Non-finite
    /// values (overflow in a cast, corrupt data) become 0 so they cannot poison the sums.
    pub fn convert(self, raw: &[u8], out: &mut Vec<f32>) {
        #[inline(always)]
        fn fin(x: f32) -> f32 {
            if x.is_finite() {
                x
            } else {
                0.0
            }
        }
        out.clear();
        match self {
            Elem::F32 => {
                out.extend(raw.chunks_exact(4).map(|b| fin(f32::from_le_bytes([b[0], b[1], b[2], b[3]]))))
            }
            Elem::Bf16 => out.extend(
                raw.chunks_exact(2)
                    .map(|b| fin(f32::from_bits((u16::from_le_bytes([b[0], b[1]]) as u32) << 16))),
            ),
            Elem::F16 => {
                let t = f16_table();
                out.extend(raw.chunks_exact(2).map(|b| fin(t[u16::from_le_bytes([b[0], b[1]]) as usize])));
            }
            Elem::F64 => out.extend(raw.chunks_exact(8).map(|b| {
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                fin(f64::from_le_bytes(a) as f32)
            })),
            Elem::Q8_0 => {
                let t = f16_table();
                for b in raw.chunks_exact(34) {
                    let d = fin(t[u16::from_le_bytes([b[0], b[1]]) as usize]);
                    out.extend(b[2..].iter().map(|&q| q as i8 as f32 * d));
                }
            }
            Elem::Q4_0 => {
                let t = f16_table();
                for b in raw.chunks_exact(18) {
                    let d = fin(t[u16::from_le_bytes([b[0], b[1]]) as usize]);
                    let q = &b[2..];
                    out.extend(q.iter().map(|&v| ((v & 0x0f) as f32 - 8.0) * d));
                    out.extend(q.iter().map(|&v| ((v >> 4) as f32 - 8.0) * d));
                }
            }
        }
    }
}

/// Encodes a unit sketch as hex of little-endian i16 (value × 32767).
pub fn encode(s: &[f32]) -> String {
    let mut out = String::with_capacity(s.len() * 4);
    for x in s {
        let q = (x.clamp(-1.0, 1.0) * 32767.0).round() as i16;
        out.push_str(&hex::encode(q.to_le_bytes()));
    }
    out
}

/// Decodes [`encode`]; `None` for a malformed string.
pub fn decode(s: &str) -> Option<Vec<f32>> {
    let bytes = hex::decode(s).ok()?;
    if bytes.len() != K * 2 {
        return None;
    }
    let v: Vec<f32> =
        bytes.chunks_exact(2).map(|b| i16::from_le_bytes([b[0], b[1]]) as f32 / 32767.0).collect();
    let norm = v.iter().map(|x| (*x as f64) * (*x as f64)).sum::<f64>().sqrt();
    if norm == 0.0 {
        return Some(v);
    }
    Some(v.into_iter().map(|x| (x as f64 / norm) as f32).collect())
}

/// A small deterministic normal generator (tests, benches, the null model's checks).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(1);
        splitmix(self.0)
    }
    /// Uniform in (0, 1).
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    /// Standard normal (Box-Muller).
    pub fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sketch(xs: &[f32]) -> Summary {
        let mut s = Sketcher::default();
        // Uneven slices: the result must not depend on how the values arrive.
        for part in xs.chunks(1000) {
            s.update(part);
        }
        s.finish()
    }

    #[test]
    fn casts_and_noise_keep_the_sketch_independent_values_do_not() {
        let mut rng = Rng::new(7);
        let a: Vec<f32> = (0..50_000).map(|_| rng.normal() as f32 * 0.02).collect();
        let b: Vec<f32> = (0..50_000).map(|_| rng.normal() as f32 * 0.02).collect();
        let half: Vec<f32> = a.iter().map(|&x| f16_to_f32(f32_to_f16(x))).collect();
        let bf: Vec<f32> = a.iter().map(|&x| f32::from_bits(x.to_bits() & 0xffff_0000)).collect();
        let noisy: Vec<f32> = a.iter().map(|&x| x + rng.normal() as f32 * 0.002).collect();
        let sa = sketch(&a);
        let mut whole = Sketcher::default();
        whole.update(&a);
        assert_eq!(whole.finish(), sa);
        assert!(cosine(&sa.sketch, &sketch(&half).sketch) > 0.9999);
        assert!(cosine(&sa.sketch, &sketch(&bf).sketch) > 0.999);
        assert!(cosine(&sa.sketch, &sketch(&noisy).sketch) > 0.98);
        assert!(cosine(&sa.sketch, &sketch(&b).sketch).abs() < 0.3);
        // Offsets do not matter (centred): norm weights near 1 look like noise around their mean.
        let ones_a: Vec<f32> = (0..50_000).map(|_| 1.0 + rng.normal() as f32 * 0.01).collect();
        let ones_b: Vec<f32> = (0..50_000).map(|_| 1.0 + rng.normal() as f32 * 0.01).collect();
        assert!(cosine(&sketch(&ones_a).sketch, &sketch(&ones_b).sketch).abs() < 0.3);
        let constant = sketch(&vec![1.0; 9000]);
        assert!(constant.sketch.iter().all(|x| *x == 0.0));
        let constant = sketch(&vec![0.37; 12345]);
        assert!(constant.sketch.iter().all(|x| *x == 0.0));
    }

    #[test]
    fn half_round_trip_and_encoding() {
        for x in [0.0f32, 1.0, -2.5, 0.000123, 65504.0, 1e-7] {
            let back = f16_to_f32(f32_to_f16(x));
            assert!((back - x).abs() <= x.abs() * 1e-3 + 1e-7, "{x} -> {back}");
        }
        let s = sketch(&(0..5000).map(|i| (i as f32).sin()).collect::<Vec<_>>()).sketch;
        let d = decode(&encode(&s)).unwrap();
        assert!(cosine(&s, &d) > 0.99999);
        assert!(decode("zz").is_none());
    }
}
