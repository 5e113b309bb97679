//! Weight fingerprints (docs/models.md): fingerprinting throughput on a generated multi-GB safetensors
//! file (bf16, from the page cache, one core, bounded memory), and one model compared against 100
//! reference fingerprints.
//!
//! Run: `cargo bench --bench weights` (optional: `SOVEREIGN_BENCH_WEIGHTS_MB=N`, default 2048).
//! The file is written to a temporary directory and read once before timing, so the page cache holds it.

mod common;

use std::io::Write;

use sovereign::weights::compare::compare;
use sovereign::weights::sketch::{encode, Rng, K};
use sovereign::weights::{fingerprint_path, Fingerprint, ModulePrint, SketchParams, TensorPrint, FORMAT};

/// Writes a bf16 safetensors file of `mb` MiB in 32 MiB tensors (4096 x 4096), without holding it.
fn generate(path: &std::path::Path, mb: usize) -> u64 {
    let per = 4096usize * 4096;
    let count = (mb / 32).max(1);
    let mut header = serde_json::Map::new();
    for i in 0..count {
        let start = i * per * 2;
        header.insert(
            format!("model.layers.{}.mlp.{}.weight", i / 4, ["up", "down", "gate", "q"][i % 4]),
            serde_json::json!({"dtype": "BF16", "shape": [4096, 4096], "data_offsets": [start, start + per * 2]}),
        );
    }
    let h = serde_json::to_vec(&serde_json::Value::Object(header)).unwrap();
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    f.write_all(&(h.len() as u64).to_le_bytes()).unwrap();
    f.write_all(&h).unwrap();
    let mut rng = Rng::new(1);
    // One random block per tensor, repeated with a varying sign pattern: fast to write, not constant.
    let block: Vec<u8> = (0..per / 64)
        .flat_map(|_| (((rng.normal() as f32 * 0.02).to_bits() >> 16) as u16).to_le_bytes())
        .collect();
    for i in 0..count {
        for j in 0..64 {
            if (i + j) % 3 == 0 {
                let flipped: Vec<u8> = block.chunks_exact(2).flat_map(|b| [b[0], b[1] ^ 0x80]).collect();
                f.write_all(&flipped).unwrap();
            } else {
                f.write_all(&block).unwrap();
            }
        }
    }
    f.flush().unwrap();
    (8 + h.len() + count * per * 2) as u64
}

fn vm_hwm_kb() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines().find(|l| l.starts_with("VmHWM:"))?.split_whitespace().nth(1)?.parse().ok()
}

/// A synthetic fingerprint with a 7B-like layout: 32 layers of 7 matrices, embeddings, head, norms.
fn synthetic(seed: u64, name: &str) -> Fingerprint {
    let mut rng = Rng::new(seed);
    let mut tensors = Vec::new();
    let unit = |rng: &mut Rng| {
        let v: Vec<f32> = (0..K).map(|_| rng.normal() as f32).collect();
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.into_iter().map(|x| x / n).collect::<Vec<f32>>()
    };
    let mut push = |name: String, shape: Vec<u64>, rng: &mut Rng| {
        let lineage = shape.len() == 2;
        let vector = if lineage { unit(rng) } else { Vec::new() };
        tensors.push(TensorPrint {
            module: sovereign::weights::module_of(&name),
            name,
            shape,
            dtype: "BF16".into(),
            sha256: format!("{:064x}", rng.next_u64()),
            excluded: (!lineage).then(|| "small-or-vector".into()),
            sketch: lineage.then(|| encode(&vector)),
            vector,
        });
    };
    push("model.embed_tokens.weight".into(), vec![152064, 3584], &mut rng);
    for l in 0..32 {
        for (m, shape) in [
            ("self_attn.q_proj", vec![3584, 3584]),
            ("self_attn.k_proj", vec![512, 3584]),
            ("self_attn.v_proj", vec![512, 3584]),
            ("self_attn.o_proj", vec![3584, 3584]),
            ("mlp.gate_proj", vec![18944, 3584]),
            ("mlp.up_proj", vec![18944, 3584]),
            ("mlp.down_proj", vec![3584, 18944]),
        ] {
            push(format!("model.layers.{l}.{m}.weight"), shape, &mut rng);
        }
        push(format!("model.layers.{l}.input_layernorm.weight"), vec![3584], &mut rng);
    }
    push("lm_head.weight".into(), vec![152064, 3584], &mut rng);
    let mut modules: Vec<ModulePrint> = Vec::new();
    for t in &tensors {
        if !modules.iter().any(|m| m.name == t.module) {
            modules.push(ModulePrint {
                name: t.module.clone(),
                tensors: 0,
                lineage_tensors: 0,
                parameters: 0,
            });
        }
    }
    Fingerprint {
        format: FORMAT.into(),
        name: name.into(),
        country: Some("CN".into()),
        country_source: None,
        sketch: SketchParams::default(),
        files: vec![],
        modules,
        tensors,
    }
}

fn main() {
    let mb: usize =
        std::env::var("SOVEREIGN_BENCH_WEIGHTS_MB").ok().and_then(|v| v.parse().ok()).unwrap_or(2048);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.safetensors");
    let bytes = generate(&path, mb);
    // Warm the page cache.
    std::io::copy(&mut std::fs::File::open(&path).unwrap(), &mut std::io::sink()).unwrap();
    println!("generated {:.2} GB of bf16 tensors", bytes as f64 / 1e9);
    let before = vm_hwm_kb();
    common::measure("fingerprint (one core, page cache)", bytes as usize, || {
        fingerprint_path(&path, "bench/model", None).unwrap().tensors.len()
    });
    if let (Some(a), Some(b)) = (before, vm_hwm_kb()) {
        println!("peak resident memory: {} MB before, {} MB after fingerprinting", a / 1024, b / 1024);
    }
    drop(dir);

    let refs_dir = tempfile::tempdir().unwrap();
    for i in 0..100 {
        let fp = synthetic(100 + i, &format!("org/ref-{i}"));
        std::fs::write(refs_dir.path().join(format!("ref-{i}.json")), fp.to_json()).unwrap();
    }
    let candidate = synthetic(7, "candidate");
    common::measure("load 100 reference fingerprints and compare one model", 0, || {
        let refs = sovereign::weights::load_references(refs_dir.path()).unwrap();
        refs.iter().map(|(_, r)| compare(&candidate, r).matched_parts().count()).sum::<usize>() + refs.len()
    });
    let refs = sovereign::weights::load_references(refs_dir.path()).unwrap();
    common::measure("compare one model against 100 loaded references", 0, || {
        refs.iter().map(|(_, r)| compare(&candidate, r).parts.len()).sum()
    });
}
