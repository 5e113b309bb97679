//! Weight fingerprints (docs/models.md): synthetic models written here in safetensors (single and
//! sharded), GGUF; a vision tower copied exactly, cast to fp16, lightly perturbed, renamed and
//! reordered, and an independent model of identical shapes; hostile files.

use std::path::Path;

use serde_json::Value;
use sovereign::weights::compare::{compare, Verdict};
use sovereign::weights::sketch::{f32_to_f16, Rng};
use sovereign::weights::{fingerprint_path, Fingerprint};

use super::support::run;

#[derive(Clone)]
struct T {
    name: String,
    shape: Vec<u64>,
    data: Vec<f32>,
}

fn random(rng: &mut Rng, name: &str, shape: &[u64]) -> T {
    let n: u64 = shape.iter().product();
    let data = if shape.len() == 1 {
        // Norm weights: all near 1, in every model (the LayerNorm trap).
        (0..n).map(|_| 1.0 + rng.normal() as f32 * 0.01).collect()
    } else {
        (0..n).map(|_| rng.normal() as f32 * 0.02).collect()
    };
    T { name: name.to_string(), shape: shape.to_vec(), data }
}

/// A small vision-language model: a two-block vision tower, two decoder layers, embeddings and head.
fn model(seed: u64) -> Vec<T> {
    let mut rng = Rng::new(seed);
    let mut out = vec![random(&mut rng, "visual.patch_embed.proj.weight", &[64, 48])];
    for b in 0..2 {
        out.push(random(&mut rng, &format!("visual.blocks.{b}.attn.qkv.weight"), &[192, 64]));
        out.push(random(&mut rng, &format!("visual.blocks.{b}.mlp.fc1.weight"), &[128, 64]));
        out.push(random(&mut rng, &format!("visual.blocks.{b}.norm1.weight"), &[64]));
    }
    for l in 0..2 {
        out.push(random(&mut rng, &format!("model.layers.{l}.self_attn.q_proj.weight"), &[64, 64]));
        out.push(random(&mut rng, &format!("model.layers.{l}.mlp.up_proj.weight"), &[128, 64]));
        out.push(random(&mut rng, &format!("model.layers.{l}.input_layernorm.weight"), &[64]));
    }
    out.push(random(&mut rng, "model.embed_tokens.weight", &[256, 64]));
    out.push(random(&mut rng, "model.norm.weight", &[64]));
    out.push(random(&mut rng, "lm_head.weight", &[256, 64]));
    out
}

/// An independent model whose vision tower is the reference's, transformed by `f`.
fn with_tower(reference: &[T], seed: u64, f: impl Fn(&T) -> T) -> Vec<T> {
    model(seed)
        .into_iter()
        .zip(reference)
        .map(|(own, r)| if r.name.starts_with("visual.") { f(r) } else { own })
        .collect()
}

#[derive(Clone, Copy)]
enum Dt {
    F32,
    F16,
}

fn raw(t: &T, dt: Dt) -> Vec<u8> {
    match dt {
        Dt::F32 => t.data.iter().flat_map(|x| x.to_le_bytes()).collect(),
        Dt::F16 => t.data.iter().flat_map(|x| f32_to_f16(*x).to_le_bytes()).collect(),
    }
}

fn safetensors(path: &Path, ts: &[T], dt: Dt) {
    let mut header = serde_json::Map::new();
    let mut data = Vec::new();
    for t in ts {
        let b = raw(t, dt);
        let dtype = match dt {
            Dt::F32 => "F32",
            Dt::F16 => "F16",
        };
        header.insert(
            t.name.clone(),
            serde_json::json!({"dtype": dtype, "shape": t.shape, "data_offsets": [data.len(), data.len() + b.len()]}),
        );
        data.extend(b);
    }
    let h = serde_json::to_vec(&Value::Object(header)).unwrap();
    let mut out = (h.len() as u64).to_le_bytes().to_vec();
    out.extend(h);
    out.extend(data);
    std::fs::write(path, out).unwrap();
}

fn sharded(dir: &Path, ts: &[T], dt: Dt) {
    let half = ts.len() / 2;
    let mut map = serde_json::Map::new();
    for (i, part) in [&ts[..half], &ts[half..]].iter().enumerate() {
        let file = format!("model-0000{}-of-00002.safetensors", i + 1);
        safetensors(&dir.join(&file), part, dt);
        for t in part.iter() {
            map.insert(t.name.clone(), Value::String(file.clone()));
        }
    }
    std::fs::write(
        dir.join("model.safetensors.index.json"),
        serde_json::json!({"weight_map": map}).to_string(),
    )
    .unwrap();
}

fn gguf(path: &Path, ts: &[T], dt: Dt) {
    let mut h = b"GGUF".to_vec();
    h.extend(3u32.to_le_bytes());
    h.extend((ts.len() as u64).to_le_bytes());
    h.extend(1u64.to_le_bytes());
    let key = "general.architecture";
    h.extend((key.len() as u64).to_le_bytes());
    h.extend(key.as_bytes());
    h.extend(8u32.to_le_bytes());
    h.extend(5u64.to_le_bytes());
    h.extend(b"llama");
    let mut data = Vec::new();
    for t in ts {
        h.extend((t.name.len() as u64).to_le_bytes());
        h.extend(t.name.as_bytes());
        h.extend((t.shape.len() as u32).to_le_bytes());
        for d in t.shape.iter().rev() {
            h.extend(d.to_le_bytes());
        }
        h.extend(
            match dt {
                Dt::F32 => 0u32,
                Dt::F16 => 1u32,
            }
            .to_le_bytes(),
        );
        h.extend((data.len() as u64).to_le_bytes());
        data.extend(raw(t, dt));
        while data.len() % 32 != 0 {
            data.push(0);
        }
    }
    while h.len() % 32 != 0 {
        h.push(0);
    }
    h.extend(data);
    std::fs::write(path, h).unwrap();
}

/// The reference and the five candidates, each in its folder under `root`.
fn write_all(root: &Path) -> Vec<(&'static str, std::path::PathBuf)> {
    let reference = model(1);
    let dirs: Vec<(&str, std::path::PathBuf)> =
        ["reference", "copy", "fp16", "perturbed", "renamed", "independent"]
            .iter()
            .map(|n| (*n, root.join(n)))
            .collect();
    for (_, d) in &dirs {
        std::fs::create_dir_all(d).unwrap();
    }
    safetensors(&dirs[0].1.join("model.safetensors"), &reference, Dt::F32);
    safetensors(&dirs[1].1.join("model.safetensors"), &with_tower(&reference, 2, |t| t.clone()), Dt::F32);
    sharded(&dirs[2].1, &with_tower(&reference, 3, |t| t.clone()), Dt::F16);
    // Light further training: 20% noise on every value (cosine ≈ 0.98 with the original).
    let perturbed = with_tower(&reference, 4, |t| T {
        data: t.data.iter().map(|x| x + Rng::new(x.to_bits() as u64).normal() as f32 * 0.004).collect(),
        ..t.clone()
    });
    gguf(&dirs[3].1.join("model.gguf"), &perturbed, Dt::F32);
    // Renamed (`visual.` → `vision_tower.`) and the two blocks swapped, in GGUF fp16.
    let mut renamed = with_tower(&reference, 5, |t| T {
        name: t
            .name
            .replace("visual.blocks.0.", "visual.blocks.X.")
            .replace("visual.blocks.1.", "visual.blocks.0.")
            .replace("visual.blocks.X.", "visual.blocks.1.")
            .replace("visual.", "vision_tower."),
        ..t.clone()
    });
    renamed.reverse();
    gguf(&dirs[4].1.join("model.gguf"), &renamed, Dt::F16);
    safetensors(&dirs[5].1.join("model.safetensors"), &model(6), Dt::F32);
    dirs
}

#[test]
fn weights_copies_casts_perturbations_and_renames_match_only_the_tower() {
    let dir = tempfile::tempdir().unwrap();
    let dirs = write_all(dir.path());
    let reference = fingerprint_path(&dirs[0].1, "Qwen/Ref-VL", Some(("CN".into(), "test".into()))).unwrap();
    // The fingerprint file round-trips.
    let reference = Fingerprint::parse(&reference.to_json(), "ref.json").unwrap();
    for (name, d) in &dirs[1..5] {
        let fp = fingerprint_path(d, name, None).unwrap();
        let c = compare(&fp, &reference);
        let matched: Vec<(&str, Verdict)> =
            c.matched_parts().map(|r| (r.module.as_str(), r.verdict)).collect();
        let tower = if *name == "renamed" { "vision_tower." } else { "visual." };
        // Only the same-dtype copy keeps the digests; the renamed tower is also cast to fp16.
        let want = if *name == "copy" { Verdict::Exact } else { Verdict::Near };
        assert_eq!(matched, vec![(tower, want)], "{name}: {}", c.summary);
        let row = c.parts.iter().find(|r| r.module == tower).unwrap();
        assert_eq!(row.share, 1.0, "{name}");
        assert!(row.margin > 20.0, "{name}: margin {}", row.margin);
        assert!(row.reference_modules.iter().all(|m| m == "visual."), "{name}: {:?}", row.reference_modules);
        assert!(c.summary.contains("independent"), "{}", c.summary);
        // Everything else is at chance level.
        for r in c.parts.iter().filter(|r| r.verdict == Verdict::Independent) {
            assert!(r.margin.abs() < 6.0 && r.similarity < 0.4, "{name} {}: {r:?}", r.module);
        }
    }
    // The independent model, norm weights all near 1 like the reference's: nothing matches.
    let ind = fingerprint_path(&dirs[5].1, "independent", None).unwrap();
    let c = compare(&ind, &reference);
    assert_eq!(c.matched_parts().count(), 0, "{}", c.summary);
    let norms = ind
        .tensors
        .iter()
        .filter(|t| t.name.ends_with("norm1.weight") || t.name.ends_with("layernorm.weight"));
    assert!(
        norms.clone().count() >= 4 && norms.clone().all(|t| t.excluded.as_deref() == Some("small-or-vector"))
    );
    // The norm weights are indeed ~97-100% cosine-similar as raw values: the trap the exclusion avoids.
    let raw_cos = {
        let a = &model(1)[3].data;
        let b = &model(6)[3].data;
        let dot: f64 = a.iter().zip(b).map(|(x, y)| (*x as f64) * (*y as f64)).sum();
        let n = |v: &[f32]| v.iter().map(|x| (*x as f64).powi(2)).sum::<f64>().sqrt();
        dot / (n(a) * n(b))
    };
    assert!(raw_cos > 0.99, "{raw_cos}");
}

#[test]
fn weights_cli_fingerprint_compare_scan_and_policy() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let dirs = write_all(&dir.path().join("models"));
    let refs = dir.path().join("refs");
    std::fs::create_dir_all(&refs).unwrap();
    let ref_file = refs.join("qwen-ref.json");
    // The country comes from the knowledge base by the namespace (Qwen → Alibaba, CN).
    let out = run(
        &[
            "fingerprint",
            dirs[0].1.to_str().unwrap(),
            "--name",
            "Qwen/Ref-VL",
            "-o",
            ref_file.to_str().unwrap(),
        ],
        &cache,
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let fp: Value = serde_json::from_slice(&std::fs::read(&ref_file).unwrap()).unwrap();
    assert_eq!(fp["country"], "CN");
    assert_eq!(fp["format"], "sovereign-weight-fingerprint/1");
    assert!(fp["modules"].as_array().unwrap().iter().any(|m| m["name"] == "visual."));

    let out = run(
        &["weights", "compare", dirs[2].1.to_str().unwrap(), ref_file.to_str().unwrap(), "--format", "json"],
        &cache,
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let c: Value = serde_json::from_slice(&out.stdout).unwrap();
    let verdicts: Vec<(String, String)> = c["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["module"].as_str().unwrap().to_string(), r["verdict"].as_str().unwrap().to_string()))
        .collect();
    assert!(verdicts.contains(&("visual.".into(), "near".into())), "{verdicts:?}");
    assert!(verdicts.contains(&("model.layers.*".into(), "independent".into())), "{verdicts:?}");
    let out = run(&["weights", "compare", dirs[1].1.to_str().unwrap(), ref_file.to_str().unwrap()], &cache);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("verdict: `visual.` from Qwen/Ref-VL (exact"), "{text}");

    // A policy that denies CN: the submission reusing the tower fails, the independent one does not.
    let policy = dir.path().join("policy.yaml");
    std::fs::write(
        &policy,
        "version: 1\nname: contest\norigin:\n  min_confidence: 0.7\n  deny: [CN, RU, KP, IR]\n  unknown: warn\n",
    )
    .unwrap();
    for (i, entry, fails) in [(0, &dirs[3], true), (1, &dirs[5], false)] {
        let (name, d) = (entry.0, &entry.1);
        let repo = dir.path().join(format!("repo{i}"));
        let target = repo.join("checkpoints/vlm");
        std::fs::create_dir_all(&target).unwrap();
        for e in std::fs::read_dir(d).unwrap().flatten() {
            std::fs::copy(e.path(), target.join(e.file_name())).unwrap();
        }
        let sbom = dir.path().join(format!("{name}.cdx.json"));
        let out = run(
            &[
                "scan",
                repo.to_str().unwrap(),
                "--fingerprints",
                refs.to_str().unwrap(),
                "-o",
                sbom.to_str().unwrap(),
            ],
            &cache,
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        let line = "weights of vlm <- Qwen/Ref-VL: `visual.` from Qwen/Ref-VL (near";
        assert_eq!(stderr.contains(line), fails, "{stderr}");
        let doc: Value = serde_json::from_slice(&std::fs::read(&sbom).unwrap()).unwrap();
        let model = doc["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "vlm")
            .unwrap_or_else(|| panic!("{name}: no local model component"));
        let ancestors = model["pedigree"]["ancestors"].as_array().cloned().unwrap_or_default();
        let props = model["properties"].to_string();
        if fails {
            assert_eq!(ancestors.len(), 1, "{name}: {model}");
            assert_eq!(ancestors[0]["purl"], "pkg:huggingface/Qwen/Ref-VL");
            let ap = ancestors[0]["properties"].to_string();
            assert!(ap.contains("\"sovereign:origin:country\",\"value\":\"CN\""), "{ap}");
            assert!(ap.contains("weights (visual.)"), "{ap}");
            assert!(props.contains("weight-fingerprint"), "{props}");
            assert!(props.contains("`visual.` from Qwen/Ref-VL (near"), "{props}");
            assert!(props.contains("`model.layers.*` independent"), "{props}");
        } else {
            assert!(ancestors.is_empty(), "{name}: {model}");
            assert!(!props.contains("weight-fingerprint"), "{props}");
        }
        let out = run(&["check", sbom.to_str().unwrap(), "--policy", policy.to_str().unwrap()], &cache);
        let report = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(if fails { 1 } else { 0 }), "{name}: {report}");
        // The contest policy: the reused tower's weights are a denied country (the weights facet), an
        // error; the independent model has no such finding (its unknown origin is judged by the
        // `no-foreign-models` rule either way, which asks the team to declare it).
        let contest = concat!(env!("CARGO_MANIFEST_DIR"), "/rules/policies/sovereign-ai-contest.yaml");
        let out = run(&["check", sbom.to_str().unwrap(), "--policy", contest, "--format", "json"], &cache);
        let verdict: Value = serde_json::from_slice(&out.stdout).unwrap();
        let denied: Vec<String> = verdict["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["component"].as_str().is_some_and(|c| c.contains("vlm")))
            .filter(|f| f["severity"] == "error" && f["message"].as_str().is_some_and(|m| m.contains("CN")))
            .map(|f| f["message"].as_str().unwrap_or_default().to_string())
            .collect();
        assert_eq!(!denied.is_empty(), fails, "{name}: {denied:?}\n{verdict}");
    }
}

#[test]
fn weights_hostile_files_are_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("model.safetensors");
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("truncated header", b"\x10\x00".to_vec(), "model-header-truncated"),
        (
            "header claiming terabytes",
            {
                let mut v = (1u64 << 42).to_le_bytes().to_vec();
                v.extend(b"{}");
                v
            },
            "model-header-too-large",
        ),
        (
            "overlapping offsets",
            {
                let h = br#"{"a":{"dtype":"F32","shape":[4,4],"data_offsets":[0,64]},"b":{"dtype":"F32","shape":[4,4],"data_offsets":[32,96]}}"#;
                let mut v = (h.len() as u64).to_le_bytes().to_vec();
                v.extend(h);
                v.extend(vec![0u8; 96]);
                v
            },
            "weights-tensors-overlap",
        ),
        (
            "tensor past the end",
            {
                let h = br#"{"a":{"dtype":"F32","shape":[1000,1000],"data_offsets":[0,4000000]}}"#;
                let mut v = (h.len() as u64).to_le_bytes().to_vec();
                v.extend(h);
                v
            },
            "weights-tensor-out-of-file",
        ),
        (
            "shape disagrees with offsets",
            {
                let h = br#"{"a":{"dtype":"F32","shape":[4,4],"data_offsets":[0,8]}}"#;
                let mut v = (h.len() as u64).to_le_bytes().to_vec();
                v.extend(h);
                v.extend(vec![0u8; 8]);
                v
            },
            "model-header-invalid",
        ),
    ];
    for (what, bytes, code) in cases {
        std::fs::write(&p, &bytes).unwrap();
        let e = fingerprint_path(&p, "x/y", None).unwrap_err();
        assert_eq!(e.code(), code, "{what}: {e}");
        assert!(e.to_string().contains("model.safetensors"), "{what}: {e}");
    }
    // GGUF claiming 2^40 tensors, and a truncated one.
    let g = dir.path().join("m.gguf");
    let mut b = b"GGUF".to_vec();
    b.extend(3u32.to_le_bytes());
    b.extend((1u64 << 40).to_le_bytes());
    b.extend(0u64.to_le_bytes());
    std::fs::write(&g, &b).unwrap();
    assert_eq!(fingerprint_path(&g, "x/y", None).unwrap_err().code(), "model-header-invalid");
    std::fs::write(&g, &b[..10]).unwrap();
    assert_eq!(fingerprint_path(&g, "x/y", None).unwrap_err().code(), "model-header-truncated");

    // A pickle that would run `os.system` if loaded: refused, nothing executed, a clear CLI error.
    let marker = dir.path().join("PWNED");
    let cmd = format!("touch {}", marker.display());
    let mut pkl = b"\x80\x02cposix\nsystem\nq\x00X".to_vec();
    pkl.extend((cmd.len() as u32).to_le_bytes());
    pkl.extend(cmd.as_bytes());
    pkl.extend(b"q\x01\x85q\x02Rq\x03.");
    let zip = stored_zip(&[("archive/data.pkl", &pkl)]);
    let pt = dir.path().join("evil").join("pytorch_model.bin");
    std::fs::create_dir_all(pt.parent().unwrap()).unwrap();
    std::fs::write(&pt, zip).unwrap();
    let out = run(
        &["fingerprint", pt.parent().unwrap().to_str().unwrap(), "--name", "x/evil"],
        &dir.path().join("c"),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("posix.system") && err.contains("never executes"), "{err}");
    assert!(!marker.exists());
}

/// A zip of stored members.
fn stored_zip(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut cd = Vec::new();
    for (name, data) in members {
        let off = out.len() as u32;
        let sizes = [0u32, data.len() as u32, data.len() as u32];
        out.extend([0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        sizes.iter().for_each(|s| out.extend(s.to_le_bytes()));
        out.extend((name.len() as u16).to_le_bytes());
        out.extend(0u16.to_le_bytes());
        out.extend(name.as_bytes());
        out.extend(*data);
        cd.extend([0x50, 0x4b, 0x01, 0x02, 20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        sizes.iter().for_each(|s| cd.extend(s.to_le_bytes()));
        cd.extend((name.len() as u16).to_le_bytes());
        cd.extend([0u8; 12]);
        cd.extend(off.to_le_bytes());
        cd.extend(name.as_bytes());
    }
    let cd_off = out.len() as u32;
    out.extend(&cd);
    out.extend([0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0]);
    out.extend((members.len() as u16).to_le_bytes());
    out.extend((members.len() as u16).to_le_bytes());
    out.extend((cd.len() as u32).to_le_bytes());
    out.extend(cd_off.to_le_bytes());
    out.extend([0, 0]);
    out
}
