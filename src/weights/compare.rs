//! One model's fingerprint against a reference's, sub-module by sub-module.
//!
//! Each lineage tensor of the candidate is paired with the reference tensor of the same shape whose
//! sketch is most similar (any name, any layer: renaming and reordering do not matter); an identical
//! digest is an exact copy. A sub-module's similarity is the mean of its tensors' best cosines, judged
//! against the null model: the best of `m` cosines between independent tensors (random directions in
//! `K` dimensions, `m` the number of same-shaped reference tensors). The margin is in standard
//! deviations of that null (docs/models.md, "Reading a margin").

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::sketch::{cosine, K};
use super::{part_of, Fingerprint};

/// A tensor counts as matched at this cosine or above (about 8 null standard deviations for one pair).
pub const TENSOR_MATCH: f64 = 0.5;
/// A sub-module is a near copy when at least this share of its lineage tensors match …
pub const MIN_SHARE: f64 = 0.5;
/// … and its similarity stands this many null standard deviations above chance.
pub const MIN_MARGIN: f64 = 8.0;

/// The verdict on a sub-module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Every lineage tensor has the reference's exact bytes.
    Exact,
    /// The values match (a cast, a quantisation, light further training, renamed or reordered).
    Near,
    Independent,
    /// No tensor that carries lineage (only norms, biases, small vectors): nothing to judge.
    NoLineage,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Exact => "exact",
            Verdict::Near => "near",
            Verdict::Independent => "independent",
            Verdict::NoLineage => "no-lineage",
        }
    }
    pub fn is_match(self) -> bool {
        matches!(self, Verdict::Exact | Verdict::Near)
    }
}

/// One row of the table: a sub-module (or a part: numbered layers together).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub module: String,
    pub lineage_tensors: usize,
    pub matched: usize,
    pub exact: usize,
    /// matched / lineage_tensors.
    pub share: f64,
    /// Mean best cosine.
    pub similarity: f64,
    /// What independent models of the same shapes give (mean and standard deviation of the similarity).
    pub chance: f64,
    pub chance_sd: f64,
    /// (similarity − chance) / chance_sd.
    pub margin: f64,
    pub verdict: Verdict,
    /// The reference's sub-modules the matched tensors come from.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reference_modules: Vec<String>,
}

/// The jury's table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub candidate: String,
    pub reference: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_country: Option<String>,
    pub modules: Vec<Row>,
    pub parts: Vec<Row>,
    /// `visual. from X (exact); model.layers.* independent …`
    pub summary: String,
}

impl Comparison {
    pub fn matched_parts(&self) -> impl Iterator<Item = &Row> {
        self.parts.iter().filter(|r| r.verdict.is_match())
    }
}

/// Mean and standard deviation of the best of `m` cosines between a unit vector and `m` independent
/// random unit vectors in `K` dimensions (each ≈ N(0, 1/K)), by numerical integration.
pub fn null_best_of(m: usize) -> (f64, f64) {
    thread_local! {
        static CACHE: RefCell<HashMap<usize, (f64, f64)>> = RefCell::new(HashMap::new());
    }
    if m == 0 {
        return (0.0, 0.0);
    }
    if let Some(v) = CACHE.with(|c| c.borrow().get(&m).copied()) {
        return v;
    }
    let (mut e1, mut e2, mut mass) = (0.0, 0.0, 0.0);
    let step = 0.002;
    let mut x: f64 = -8.0;
    while x <= 8.0 {
        let pdf = (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let cdf = 0.5 * (1.0 + erf(x / std::f64::consts::SQRT_2));
        let dens = m as f64 * pdf * cdf.powi(m as i32 - 1) * step;
        e1 += x * dens;
        e2 += x * x * dens;
        mass += dens;
        x += step;
    }
    let mean = e1 / mass;
    let sd = (e2 / mass - mean * mean).max(0.0).sqrt();
    let scale = 1.0 / (K as f64).sqrt();
    let v = (mean * scale, sd * scale);
    CACHE.with(|c| c.borrow_mut().insert(m, v));
    v
}

/// Abramowitz & Stegun 7.1.26 (error < 1.5e-7).
fn erf(x: f64) -> f64 {
    let s = x.signum();
    let x = x.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let y = 1.0
        - (((((1.061_405_429 * t - 1.453_152_027) * t) + 1.421_413_741) * t - 0.284_496_736) * t
            + 0.254_829_592)
            * t
            * (-x * x).exp();
    s * y
}

#[derive(Default, Clone)]
struct Acc {
    n: usize,
    matched: usize,
    exact: usize,
    sim: f64,
    chance: f64,
    var: f64,
    refs: BTreeMap<String, usize>,
}

impl Acc {
    fn row(&self, module: String) -> Row {
        let n = self.n.max(1) as f64;
        let similarity = self.sim / n;
        let chance = self.chance / n;
        let chance_sd = self.var.sqrt() / n;
        let margin = if self.n == 0 { 0.0 } else { (similarity - chance) / chance_sd.max(1e-3) };
        let share = self.matched as f64 / n;
        let verdict = if self.n == 0 {
            Verdict::NoLineage
        } else if self.exact == self.n {
            Verdict::Exact
        } else if share >= MIN_SHARE && margin >= MIN_MARGIN {
            Verdict::Near
        } else {
            Verdict::Independent
        };
        let mut refs: Vec<(&String, &usize)> = self.refs.iter().collect();
        refs.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        Row {
            module,
            lineage_tensors: self.n,
            matched: self.matched,
            exact: self.exact,
            share,
            similarity,
            chance,
            chance_sd,
            margin,
            verdict,
            reference_modules: if verdict.is_match() {
                refs.into_iter().take(4).map(|(m, _)| m.clone()).collect()
            } else {
                Vec::new()
            },
        }
    }
    fn add(&mut self, o: &Acc) {
        self.n += o.n;
        self.matched += o.matched;
        self.exact += o.exact;
        self.sim += o.sim;
        self.chance += o.chance;
        self.var += o.var;
        for (k, v) in &o.refs {
            *self.refs.entry(k.clone()).or_default() += v;
        }
    }
}

/// Compares a candidate's fingerprint with a reference's.
pub fn compare(candidate: &Fingerprint, reference: &Fingerprint) -> Comparison {
    let mut by_shape: HashMap<&[u64], Vec<usize>> = HashMap::new();
    let mut by_digest: HashMap<(&str, &str, &[u64]), usize> = HashMap::new();
    for (i, t) in reference.tensors.iter().enumerate() {
        if t.excluded.is_none() && !t.vector.is_empty() {
            by_shape.entry(&t.shape).or_default().push(i);
            by_digest.entry((&t.sha256, &t.dtype, &t.shape)).or_insert(i);
        }
    }
    let mut modules: Vec<(String, Acc)> = Vec::new();
    for m in &candidate.modules {
        modules.push((m.name.clone(), Acc::default()));
    }
    let slot = |modules: &mut Vec<(String, Acc)>, name: &str| -> usize {
        match modules.iter().position(|(m, _)| m == name) {
            Some(i) => i,
            None => {
                modules.push((name.to_string(), Acc::default()));
                modules.len() - 1
            }
        }
    };
    for t in &candidate.tensors {
        let i = slot(&mut modules, &t.module);
        if t.excluded.is_some() || t.vector.is_empty() {
            continue;
        }
        let cands = by_shape.get(t.shape.as_slice()).map(Vec::as_slice).unwrap_or(&[]);
        let (chance, sd) = null_best_of(cands.len());
        let (best, best_i, exact) =
            match by_digest.get(&(t.sha256.as_str(), t.dtype.as_str(), t.shape.as_slice())) {
                Some(&j) => (1.0, Some(j), true),
                None => {
                    let mut best = (f64::MIN, None);
                    for &j in cands {
                        let c = cosine(&t.vector, &reference.tensors[j].vector);
                        if c > best.0 {
                            best = (c, Some(j));
                        }
                    }
                    (if best.1.is_some() { best.0 } else { 0.0 }, best.1, false)
                }
            };
        let a = &mut modules[i].1;
        a.n += 1;
        a.sim += best;
        a.chance += chance;
        a.var += sd * sd;
        a.exact += exact as usize;
        if best >= TENSOR_MATCH {
            a.matched += 1;
            if let Some(j) = best_i {
                *a.refs.entry(reference.tensors[j].module.clone()).or_default() += 1;
            }
        }
    }
    let mut parts: Vec<(String, Acc)> = Vec::new();
    for (m, a) in &modules {
        let p = part_of(m);
        match parts.iter_mut().find(|(n, _)| *n == p) {
            Some((_, acc)) => acc.add(a),
            None => parts.push((p, a.clone())),
        }
    }
    let modules: Vec<Row> = modules.into_iter().map(|(m, a)| a.row(m)).collect();
    let parts: Vec<Row> = parts.into_iter().map(|(m, a)| a.row(m)).collect();
    let summary = summarise(&parts, &reference.name);
    Comparison {
        candidate: candidate.name.clone(),
        reference: reference.name.clone(),
        reference_country: reference.country.clone(),
        modules,
        parts,
        summary,
    }
}

fn summarise(parts: &[Row], reference: &str) -> String {
    let mut out = Vec::new();
    for r in parts {
        match r.verdict {
            Verdict::Exact | Verdict::Near => out.push(format!(
                "`{}` from {reference} ({}, {:.0}% of tensors, similarity {:.3}, {:+.1}σ over chance)",
                r.module,
                r.verdict.as_str(),
                r.share * 100.0,
                r.similarity,
                r.margin
            )),
            Verdict::Independent => out.push(format!("`{}` independent", r.module)),
            Verdict::NoLineage => {}
        }
    }
    if out.is_empty() {
        "no sub-module carries lineage evidence".into()
    } else {
        out.join("; ")
    }
}

/// The table as text.
pub fn render(c: &Comparison, all_modules: bool) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let cc = c.reference_country.as_deref().map(|c| format!(" ({c})")).unwrap_or_default();
    let _ = writeln!(s, "{} against {}{cc}", c.candidate, c.reference);
    let _ = writeln!(
        s,
        "{:<40} {:>8} {:>8} {:>7} {:>10} {:>14} {:>9}  verdict",
        "sub-module", "tensors", "matched", "exact", "similarity", "chance", "margin"
    );
    let rows = if all_modules { &c.modules } else { &c.parts };
    for r in rows {
        let _ = writeln!(
            s,
            "{:<40} {:>8} {:>7.0}% {:>7} {:>10.3} {:>7.3}±{:<6.3} {:>8.1}σ  {}{}",
            r.module,
            r.lineage_tensors,
            r.share * 100.0,
            r.exact,
            r.similarity,
            r.chance,
            r.chance_sd,
            r.margin,
            r.verdict.as_str(),
            if r.reference_modules.is_empty() {
                String::new()
            } else {
                format!(" (← {})", r.reference_modules.join(", "))
            }
        );
    }
    let _ = writeln!(s, "verdict: {}", c.summary);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::weights::sketch::Rng;

    #[test]
    fn null_of_the_best_grows_with_candidates() {
        let (m1, s1) = null_best_of(1);
        assert!(m1.abs() < 1e-3 && (s1 - 1.0 / 16.0).abs() < 1e-3, "{m1} {s1}");
        let (m32, _) = null_best_of(32);
        assert!(m32 > 0.12 && m32 < 0.15, "{m32}");
        // The integral agrees with simulation: best of 32 cosines of random unit vectors in K dims.
        let mut rng = Rng::new(3);
        let unit = |rng: &mut Rng| {
            let v: Vec<f32> = (0..K).map(|_| rng.normal() as f32).collect();
            let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            v.into_iter().map(|x| x / n).collect::<Vec<f32>>()
        };
        let trials = 400;
        let mut sum = 0.0;
        for _ in 0..trials {
            let a = unit(&mut rng);
            sum += (0..32).map(|_| cosine(&a, &unit(&mut rng))).fold(f64::MIN, f64::max);
        }
        assert!((sum / trials as f64 - m32).abs() < 0.01);
    }
}
