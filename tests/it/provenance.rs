//! Provenance inside the repository: foreign notices, vendored code, AI models and their lineage, the
//! submission's own history (src/provenance/).

use std::path::Path;

use serde_json::Value;
use sovereign::model::{Component, ComponentKind, EvidenceKind, Inventory};

use crate::support;

/// A domestic (fictional Korean) AI project: its own notices, plus what it took from abroad.
const DOMESTIC: &[(&str, &str)] = &[
    (
        "LICENSE",
        "Copyright 2025 Hanbit AI Lab\n\n                                 Apache License\n                           Version 2.0, January 2004\n",
    ),
    ("README.md", "# hanbit-vision\n\nA document-understanding assistant.\n"),
    ("src/app.py", "# Copyright 2025 Hanbit AI Lab\nfrom transformers import AutoModel\n"),
    ("src/text.py", "# Copyright 2025 Hanbit AI Lab\ndef clean(s):\n    return s.strip()\n"),
];

/// The foreign parts: a vision encoder loaded from Qwen, a vendored file with a Zhipu AI header, a GLM-4
/// MoE config and a model card naming its base model.
const FOREIGN: &[(&str, &str)] = &[
    (
        "src/app.py",
        "# Copyright 2025 Hanbit AI Lab\nfrom transformers import AutoModel\n\nvision = AutoModel.from_pretrained(\"Qwen/Qwen2.5-VL-7B-Instruct\")\n",
    ),
    (
        "src/vision/glm_block.py",
        "# Copyright 2025 Zhipu AI\n# Licensed under the Apache License, Version 2.0\nimport torch\n\nclass Block(torch.nn.Module):\n    pass\n",
    ),
    (
        "model/config.json",
        "{\n  \"architectures\": [\"Glm4MoeForCausalLM\"],\n  \"hidden_size\": 4096,\n  \"model_type\": \"glm4_moe\"\n}\n",
    ),
    (
        "model/README.md",
        "---\nlicense: mit\nbase_model: zai-org/GLM-4.5-Air\nbase_model_relation: finetune\ndatasets:\n- hanbit/docs-ko\npipeline_tag: text-generation\n---\n# hanbit-llm\n",
    ),
];

fn project(with_foreign: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    support::write_files(dir.path(), DOMESTIC);
    if with_foreign {
        support::write_files(dir.path(), FOREIGN);
    }
    dir
}

fn by_id<'a>(inv: &'a Inventory, id: &str) -> &'a Component {
    inv.component(id).unwrap_or_else(|| {
        let ids: Vec<&str> = inv.components.iter().map(|c| c.id.as_str()).collect();
        panic!("no component `{id}`; have {ids:?}")
    })
}

fn found_in(c: &Component) -> Vec<String> {
    c.found_in.iter().map(|l| l.to_string()).collect()
}

fn cdx_component<'a>(doc: &'a Value, bom_ref: &str) -> &'a Value {
    doc["components"].as_array().unwrap().iter().find(|c| c["bom-ref"] == bom_ref).expect(bom_ref)
}

#[test]
fn foreign_notice_model_reference_and_config_are_listed_with_evidence() {
    let dir = project(true);
    let inv = support::scan_dir(dir.path());

    // The vendored file: its holder at file:line, attributed by the origin stage's knowledge base.
    let v = by_id(&inv, "local:vendored-source:src/vision");
    assert_eq!(v.kind, ComponentKind::VendoredSource);
    assert_eq!(found_in(v), vec!["src/vision/glm_block.py:1"]);
    assert_eq!(v.origin.country.as_deref(), Some("CN"), "{:#?}", v.origin);
    let holder = &v.origin.evidence[0];
    assert_eq!(
        (holder.kind, holder.value.as_str()),
        (EvidenceKind::CopyrightHolder, "copyright holder Zhipu AI")
    );
    assert!(
        holder.source.starts_with("src/vision/glm_block.py:1; rules/origins/orgs.yaml"),
        "{}",
        holder.source
    );
    assert_eq!(v.copyrights, vec!["Copyright 2025 Zhipu AI"]);
    assert_eq!(v.license.detected[0].expression, "Apache-2.0");
    assert_eq!(v.license.detected[0].source, "src/vision/glm_block.py:2");

    // The vision encoder: a Hugging Face model whose namespace is a known Chinese organisation.
    let q = by_id(&inv, "pkg:huggingface/Qwen/Qwen2.5-VL-7B-Instruct");
    assert_eq!(q.kind, ComponentKind::MlModel);
    assert_eq!(found_in(q), vec!["src/app.py:4"]);
    assert_eq!(q.occurrences[0].rule, "from-pretrained");
    assert_eq!(q.origin.country.as_deref(), Some("CN"), "{:#?}", q.origin);
    assert!(q
        .origin
        .evidence
        .iter()
        .any(|e| e.kind == EvidenceKind::KnownOrganisation && e.value.contains("Qwen")));

    // The local model: GLM-4 MoE architecture fine-tuned from a base model. The architecture is the
    // architecture facet's fact (CN), never the component's country.
    let m = by_id(&inv, "local:ml-model:model");
    let facts = m.model.as_ref().unwrap();
    assert_eq!(facts.model_type.as_deref(), Some("glm4_moe"));
    assert_eq!(facts.family.as_deref(), Some("glm"));
    assert!(found_in(m).contains(&"model/config.json:4".to_string()), "{:?}", found_in(m));
    let fam =
        m.origin.evidence.iter().find(|e| e.kind == EvidenceKind::ModelFamily).expect("family evidence");
    assert_eq!(
        (fam.value.as_str(), fam.country.as_deref(), fam.weak),
        ("model_type glm4_moe", Some("CN"), false)
    );
    assert_eq!(fam.facet, Some(sovereign::model::Facet::Architecture));
    assert!(fam.source.starts_with("model/config.json:4"), "{}", fam.source);
    assert_eq!(
        m.origin.facets[&sovereign::model::Facet::Architecture].countries[0].country,
        "CN",
        "{:#?}",
        m.origin
    );
    // The base model named by the card is weights lineage: zai-org is Zhipu (CN).
    assert_eq!(m.origin.facets[&sovereign::model::Facet::Weights].countries[0].country, "CN");
    assert!(m.origin.countries.contains(&"CN".to_string()));
    assert_eq!(m.license.declared.as_ref().unwrap().expression, "MIT");
    assert_eq!(facts.base_models[0].component, "pkg:huggingface/zai-org/GLM-4.5-Air");
    assert_eq!(facts.base_models[0].relation.as_deref(), Some("finetune"));
    let base = by_id(&inv, "pkg:huggingface/zai-org/GLM-4.5-Air");
    assert_eq!(found_in(base), vec!["model/README.md:3"]);
    assert_eq!(base.origin.country.as_deref(), Some("CN"), "{:#?}", base.origin);

    // The submitter, reported separately and never as a component.
    let own: Vec<_> = inv.provenance.own_holders.iter().map(|h| (h.holder.as_str(), h.files)).collect();
    assert_eq!(own, vec![("Hanbit AI Lab", 3)]);
    assert!(!inv.components.iter().any(|c| c.description.as_deref().is_some_and(|d| d.contains("Hanbit"))));

    // The CycloneDX document: valid, with evidence occurrences, a modelCard and the lineage.
    let doc = support::cdx(&inv);
    support::validate_cdx(&doc, "foreign_notice_model_reference_and_config_are_listed_with_evidence");
    let vc = cdx_component(&doc, "local:vendored-source:src/vision");
    assert_eq!(vc["evidence"]["occurrences"][0]["location"], "src/vision/glm_block.py");
    assert_eq!(vc["evidence"]["occurrences"][0]["line"], 1);
    assert_eq!(vc["evidence"]["copyright"][0]["text"], "Copyright 2025 Zhipu AI");
    let mc = cdx_component(&doc, "local:ml-model:model");
    assert_eq!(mc["type"], "machine-learning-model");
    assert_eq!(mc["modelCard"]["modelParameters"]["architectureFamily"], "glm");
    assert_eq!(mc["modelCard"]["modelParameters"]["task"], "text-generation");
    assert_eq!(mc["modelCard"]["modelParameters"]["datasets"][0]["name"], "hanbit/docs-ko");
    assert_eq!(mc["pedigree"]["ancestors"][0]["purl"], "pkg:huggingface/zai-org/GLM-4.5-Air");
    let qc = cdx_component(&doc, "pkg:huggingface/Qwen/Qwen2.5-VL-7B-Instruct");
    assert_eq!(qc["purl"], "pkg:huggingface/Qwen/Qwen2.5-VL-7B-Instruct");
    let origin_prop = |c: &Value| {
        c["properties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "sovereign:origin:country")
            .map(|p| p["value"].clone())
    };
    assert_eq!(origin_prop(vc), Some(Value::from("CN")));
    assert_eq!(origin_prop(qc), Some(Value::from("CN")));
    // The fine-tune's weights start from GLM-4.5-Air (zai-org: CN): its weights facet is CN, and so is
    // its strongest country; the base model carries its own origin in the pedigree.
    assert_eq!(origin_prop(mc), Some(Value::from("CN")));
    let prop_of = |c: &Value, name: &str| {
        c["properties"].as_array().unwrap().iter().find(|p| p["name"] == name).map(|p| p["value"].clone())
    };
    assert_eq!(prop_of(mc, "sovereign:origin:weights:country"), Some(Value::from("CN")));
    assert_eq!(prop_of(mc, "sovereign:origin:architecture:country"), Some(Value::from("CN")));
    assert_eq!(prop_of(mc, "sovereign:origin:countries"), Some(Value::from("CN")));
    assert_eq!(prop_of(&mc["pedigree"]["ancestors"][0], "sovereign:origin:country"), Some(Value::from("CN")));
    let subject_props = doc["metadata"]["component"]["properties"].as_array().unwrap();
    assert!(subject_props.iter().any(|p| p["name"] == "sovereign:provenance:own-holder"
        && p["value"] == "Hanbit AI Lab (LICENSE:1, 3 file(s))"));
}

#[test]
fn the_same_project_without_them_has_none_of_these_components() {
    let dir = project(false);
    let inv = support::scan_dir(dir.path());
    let provenance: Vec<&str> = inv
        .components
        .iter()
        .filter(|c| matches!(c.kind, ComponentKind::MlModel | ComponentKind::VendoredSource))
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(provenance, Vec::<&str>::new());
    assert_eq!(inv.provenance.own_holders.len(), 1);
    // 4 files, all read (no skips).
    assert_eq!(inv.provenance.files_scanned, 4);
}

#[test]
fn vendored_trees_upstream_file_names_and_cjk_notices() {
    let dir = tempfile::tempdir().unwrap();
    support::write_files(
        dir.path(),
        &[
            ("LICENSE", "Copyright (c) 2024 Hanbit AI Lab\n"),
            ("third_party/fastjson/LICENSE", "MIT License\n\nCopyright (c) 2019 Example JSON Authors\n"),
            ("third_party/fastjson/src/parse.c", "/* plain code, no notice */\nint x;\n"),
            ("third_party/tiny/README.md", "# tiny\n"),
            ("infer/modeling_deepseek.py", "import torch\n"),
            ("infer/tokenizer_kr.py", "# 저작권 (c) 2024 한빛\n"),
            ("kernels/attn.cu", "// 版权所有 (C) 2024 北京智谱华章科技有限公司\n"),
            ("docs/ja.txt", "著作権者: 株式会社サンプル\n"),
        ],
    );
    let inv = sovereign::scan(&sovereign::ScanOptions {
        source: dir.path().display().to_string(),
        reference: None,
        cache_dir: dir.path().join(".cache"),
        progress: false,
        history: None,
        cargo_metadata: false,
        origin: Default::default(),
        provenance: sovereign::provenance::Options {
            own_holders: vec!["한빛".into()], ..Default::default()
        },
        ..Default::default()
    })
    .unwrap()
    .inventory;
    let fj = by_id(&inv, "local:vendored-source:third_party/fastjson");
    assert_eq!(found_in(fj), vec!["third_party/fastjson/LICENSE:3"]);
    assert_eq!(fj.license.detected[0].expression, "MIT");
    assert_eq!(fj.properties["provenance:files"], "2", "LICENSE and the notice-less parse.c");
    let tiny = by_id(&inv, "local:vendored-source:third_party/tiny");
    assert_eq!(tiny.occurrences[0].rule, "vendored-tree");
    assert!(tiny.origin.evidence.is_empty(), "no holder known: no origin evidence invented");
    let infer = by_id(&inv, "local:vendored-source:infer");
    assert_eq!(infer.occurrences.len(), 1, "the Korean notice is the submitter's own (configured)");
    assert_eq!(infer.occurrences[0].rule, "upstream-model-file-name");
    let e = &infer.origin.evidence[0];
    assert_eq!(
        (e.kind, e.value.as_str(), e.weak),
        (EvidenceKind::ModelFamily, "model_type deepseek_v3", false)
    );
    assert_eq!(infer.origin.country, None, "a file name shows the architecture, not who wrote the file");
    assert_eq!(infer.origin.countries, vec!["CN".to_string()], "architecture facet");
    let k = by_id(&inv, "local:vendored-source:kernels");
    assert_eq!(found_in(k), vec!["kernels/attn.cu:1"]);
    assert_eq!(k.origin.evidence[0].value, "copyright holder 北京智谱华章科技有限公司");
    assert_eq!(k.origin.country.as_deref(), Some("CN"));
    // A holder the knowledge base does not know: kept as seen, with no country.
    let ja = by_id(&inv, "local:vendored-source:docs");
    assert_eq!(ja.origin.evidence[0].value, "株式会社サンプル");
    assert_eq!((ja.origin.evidence[0].country.as_deref(), ja.origin.country.as_deref()), (None, None));
    let own: Vec<_> = inv.provenance.own_holders.iter().map(|h| h.holder.as_str()).collect();
    assert_eq!(own, vec!["Hanbit AI Lab", "한빛"]);
}

#[test]
fn model_references_in_configs_scripts_and_modelfiles() {
    let dir = tempfile::tempdir().unwrap();
    support::write_files(
        dir.path(),
        &[
            ("train.yaml", "model_name_or_path: deepseek-ai/DeepSeek-V3\noutput_dir: checkpoints/run1\n"),
            ("serve.sh", "#!/bin/sh\nvllm serve Qwen/Qwen3-8B --port 8000\npython -m sglang.launch_server --model-path zai-org/GLM-4.5\n"),
            ("dl.py", "from modelscope import snapshot_download\npath = snapshot_download('ZhipuAI/glm-4-9b-chat')\n"),
            ("cfg.toml", "[model]\nbase_model = \"LGAI-EXAONE/EXAONE-3.5-7.8B-Instruct\"\n"),
            ("Modelfile", "FROM qwen2.5:7b\nSYSTEM You are helpful.\n"),
            ("local.py", "m = AutoModel.from_pretrained(\"weights/base\")\n"),
            ("weights/base/x.txt", "not a model\n"),
            ("notes.md", "We compared with https://huggingface.co/meta-llama/Llama-3.1-8B\n"),
        ],
    );
    let inv = support::scan_dir(dir.path());
    let mut models: Vec<(String, Vec<String>)> = inv
        .components
        .iter()
        .filter(|c| c.kind == ComponentKind::MlModel)
        .map(|c| (c.purl.clone().unwrap(), found_in(c)))
        .collect();
    models.sort();
    let expect = |p: &str, at: &str| (p.to_string(), vec![at.to_string()]);
    assert_eq!(
        models,
        vec![
            expect("pkg:generic/ZhipuAI/glm-4-9b-chat?download_url=https://modelscope.cn/models/ZhipuAI/glm-4-9b-chat", "dl.py:2"),
            expect("pkg:generic/ollama/library%2Fqwen2.5@7b", "Modelfile:1"),
            expect("pkg:huggingface/LGAI-EXAONE/EXAONE-3.5-7.8B-Instruct", "cfg.toml:2"),
            expect("pkg:huggingface/Qwen/Qwen3-8B", "serve.sh:2"),
            expect("pkg:huggingface/deepseek-ai/DeepSeek-V3", "train.yaml:1"),
            expect("pkg:huggingface/zai-org/GLM-4.5", "serve.sh:3"),
        ],
        "a local directory and prose in Markdown are not model references"
    );
    let doc = support::cdx(&inv);
    support::validate_cdx(&doc, "model_references_in_configs_scripts_and_modelfiles");
}

/// A safetensors file: 8-byte length, JSON header, data.
fn safetensors(header: &str, data: usize) -> Vec<u8> {
    let mut v = (header.len() as u64).to_le_bytes().to_vec();
    v.extend_from_slice(header.as_bytes());
    v.extend(std::iter::repeat_n(0u8, data));
    v
}

fn gguf_string(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u64).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

/// A GGUF v3 file with string metadata, one string array and one tensor of 4×8 elements.
fn gguf(kv: &[(&str, &str)]) -> Vec<u8> {
    let mut g = b"GGUF".to_vec();
    g.extend_from_slice(&3u32.to_le_bytes());
    g.extend_from_slice(&1u64.to_le_bytes());
    g.extend_from_slice(&(kv.len() as u64 + 1).to_le_bytes());
    for (k, v) in kv {
        gguf_string(&mut g, k);
        g.extend_from_slice(&8u32.to_le_bytes());
        gguf_string(&mut g, v);
    }
    gguf_string(&mut g, "tokenizer.ggml.tokens");
    g.extend_from_slice(&9u32.to_le_bytes());
    g.extend_from_slice(&8u32.to_le_bytes());
    g.extend_from_slice(&2u64.to_le_bytes());
    gguf_string(&mut g, "a");
    gguf_string(&mut g, "b");
    gguf_string(&mut g, "blk.0.w");
    g.extend_from_slice(&2u32.to_le_bytes());
    g.extend_from_slice(&4u64.to_le_bytes());
    g.extend_from_slice(&8u64.to_le_bytes());
    g.extend_from_slice(&0u32.to_le_bytes());
    g.extend_from_slice(&0u64.to_le_bytes());
    g.extend(std::iter::repeat_n(0u8, 64));
    g
}

#[test]
fn weight_headers_are_read_and_hostile_ones_are_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    support::write_files(d, &[("LICENSE", "Copyright 2025 Hanbit AI Lab\n")]);
    std::fs::create_dir_all(d.join("m1")).unwrap();
    std::fs::create_dir_all(d.join("m2")).unwrap();
    std::fs::create_dir_all(d.join("bad")).unwrap();
    // 2×3 + 5 = 11 parameters over two shards.
    std::fs::write(
        d.join("m1/model-00001-of-00002.safetensors"),
        safetensors(
            r#"{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}}"#,
            24,
        ),
    )
    .unwrap();
    std::fs::write(
        d.join("m1/model-00002-of-00002.safetensors"),
        safetensors(r#"{"b":{"dtype":"F32","shape":[5],"data_offsets":[0,20]}}"#, 20),
    )
    .unwrap();
    std::fs::write(
        d.join("m2/q4.gguf"),
        gguf(&[
            ("general.architecture", "qwen2"),
            ("general.name", "Demo"),
            ("general.base_model.0.repo_url", "https://huggingface.co/Qwen/Qwen2.5-0.5B"),
        ]),
    )
    .unwrap();
    let mut huge = u64::MAX.to_le_bytes().to_vec();
    huge.extend_from_slice(b"{}");
    std::fs::write(d.join("bad/huge.safetensors"), huge).unwrap();
    let mut trunc = 4096u64.to_le_bytes().to_vec();
    trunc.extend_from_slice(br#"{"a":{"dtype""#);
    std::fs::write(d.join("bad/truncated.safetensors"), trunc).unwrap();
    std::fs::write(d.join("bad/short.gguf"), b"GGUF\x03\x00").unwrap();
    let mut lying = b"GGUF".to_vec();
    lying.extend_from_slice(&3u32.to_le_bytes());
    lying.extend_from_slice(&0u64.to_le_bytes());
    lying.extend_from_slice(&1u64.to_le_bytes());
    lying.extend_from_slice(&(1u64 << 40).to_le_bytes());
    std::fs::write(d.join("bad/lying.gguf"), lying).unwrap();

    let inv = support::scan_dir(d);
    let m1 = by_id(&inv, "local:ml-model:m1").model.clone().unwrap();
    assert_eq!((m1.parameter_count, m1.tensor_count), (Some(11), Some(2)));
    let m2c = by_id(&inv, "local:ml-model:m2");
    let m2 = m2c.model.clone().unwrap();
    assert_eq!(
        (m2.parameter_count, m2.model_type.as_deref(), m2.family.as_deref()),
        (Some(32), Some("qwen2"), Some("qwen"))
    );
    assert_eq!(m2.base_models[0].component, "pkg:huggingface/Qwen/Qwen2.5-0.5B");
    let mut codes: Vec<(String, String)> = inv
        .diagnostics
        .iter()
        .filter(|x| x.code.starts_with("model-header"))
        .map(|x| (x.location.as_ref().unwrap().path.clone(), x.code.clone()))
        .collect();
    codes.sort();
    assert_eq!(
        codes,
        vec![
            ("bad/huge.safetensors".to_string(), "model-header-too-large".to_string()),
            ("bad/lying.gguf".to_string(), "model-header-invalid".to_string()),
            ("bad/short.gguf".to_string(), "model-header-truncated".to_string()),
            ("bad/truncated.safetensors".to_string(), "model-header-truncated".to_string()),
        ]
    );
    let doc = support::cdx(&inv);
    support::validate_cdx(&doc, "weight_headers_are_read_and_hostile_ones_are_diagnostics");
}

#[test]
fn excluded_binary_minified_generated_and_large_files_are_skipped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let long_line = format!("/* Copyright 2024 Zhipu AI */ var a={};\n", "1,".repeat(3000));
    support::write_files(
        d,
        &[
            (".gitignore", "build/\n*.log\n"),
            ("build/out.py", "# Copyright 2024 Zhipu AI\n"),
            ("run.log", "Copyright 2024 Zhipu AI\n"),
            ("web/app.min.js", "/* Copyright 2024 Zhipu AI */\n"),
            ("web/bundle.js", &long_line),
            ("gen/api_pb2.py", "# Copyright 2024 Zhipu AI\n"),
            ("gen/schema.py", "# Code generated by protoc. DO NOT EDIT.\n# Copyright 2024 Zhipu AI\n"),
            ("big/data.py", &format!("# Copyright 2024 Zhipu AI\n{}", "x = 1\n".repeat(400))),
            ("ok.py", "print(1)\n"),
        ],
    );
    std::fs::write(d.join("blob.dat"), b"\x00\x01Copyright 2024 Zhipu AI").unwrap();
    let inv = sovereign::scan(&sovereign::ScanOptions {
        source: d.display().to_string(),
        reference: None,
        cache_dir: d.join("..cache-unused"),
        progress: false,
        history: None,
        cargo_metadata: false,
        origin: Default::default(),
        provenance: sovereign::provenance::Options { max_file_size: 1024, ..Default::default() },
        ..Default::default()
    })
    .unwrap()
    .inventory;
    assert!(
        !inv.components.iter().any(|c| c.kind == ComponentKind::VendoredSource),
        "{:?}",
        inv.components.iter().map(|c| &c.id).collect::<Vec<_>>()
    );
    let skipped: Vec<(&str, u64)> =
        inv.provenance.skipped.iter().map(|t| (t.value.as_str(), t.count)).collect();
    // binary: blob.dat; minified: app.min.js (name); generated: api_pb2.py (name), schema.py (header);
    // too-large: web/bundle.js (6 KB) and big/data.py (2.4 KB) over the 1 KiB cap; excluded: build/out.py, run.log.
    assert_eq!(
        skipped,
        vec![("binary", 1), ("minified", 1), ("generated", 2), ("too-large", 2), ("excluded", 2)]
    );
    // Read: .gitignore, ok.py.
    assert_eq!(inv.provenance.files_scanned, 2);
}

#[test]
fn minified_javascript_is_recognised_by_its_shape() {
    let dir = tempfile::tempdir().unwrap();
    let long_line = format!("/* Copyright 2024 Zhipu AI */ var a=[{}];\n", "1,".repeat(3000));
    support::write_files(
        dir.path(),
        &[("LICENSE", "Copyright 2025 Hanbit AI Lab\n"), ("web/bundle.js", &long_line)],
    );
    let inv = support::scan_dir(dir.path());
    assert_eq!(
        inv.provenance.skipped.iter().map(|t| (t.value.as_str(), t.count)).collect::<Vec<_>>(),
        vec![("minified", 1)]
    );
    assert!(inv.components.is_empty());
}

#[test]
fn git_history_is_summarised_as_context() {
    let dir = tempfile::tempdir().unwrap();
    let repo = git2::Repository::init(dir.path()).unwrap();
    let commits = [("a@lab.kr", 540), ("b@lab.kr", 540), ("c@corp.cn", 480)];
    let mut parent: Option<git2::Oid> = None;
    for (i, (mail, off)) in commits.iter().enumerate() {
        let path = format!("f{i}.txt");
        std::fs::write(dir.path().join(&path), "x\n").unwrap();
        let mut index = repo.index().unwrap();
        index.add_path(Path::new(&path)).unwrap();
        index.write().unwrap();
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        let sig = git2::Signature::new("T", mail, &git2::Time::new(1_700_000_000 + i as i64, *off)).unwrap();
        let parents: Vec<git2::Commit> = parent.iter().map(|p| repo.find_commit(*p).unwrap()).collect();
        let refs: Vec<&git2::Commit> = parents.iter().collect();
        parent = Some(repo.commit(Some("HEAD"), &sig, &sig, "c", &tree, &refs).unwrap());
    }
    let inv = support::scan_dir(dir.path());
    let h = inv.provenance.history.as_ref().expect("history");
    assert_eq!(h.commits, 3);
    let tz: Vec<(&str, u64)> = h.time_zones.iter().map(|t| (t.value.as_str(), t.count)).collect();
    assert_eq!(tz, vec![("+09:00", 2), ("+08:00", 1)]);
    let dom: Vec<(&str, u64)> = h.email_domains.iter().map(|t| (t.value.as_str(), t.count)).collect();
    assert_eq!(dom, vec![("lab.kr", 2), ("corp.cn", 1)]);
    assert!(inv.components.iter().all(|c| c.origin.evidence.iter().all(|e| !e.value.contains("corp.cn"))));

    // A directory inside a repository has no history of its own.
    std::fs::create_dir_all(dir.path().join("sub")).unwrap();
    std::fs::write(dir.path().join("sub/a.txt"), "x\n").unwrap();
    assert!(support::scan_dir(&dir.path().join("sub")).provenance.history.is_none());
}

#[test]
fn output_is_deterministic() {
    let dir = project(true);
    // Everything but the timestamp (the CLI test covers SOURCE_DATE_EPOCH).
    let doc = || {
        let mut d = support::cdx(&support::scan_dir(dir.path()));
        d["metadata"].as_object_mut().unwrap().remove("timestamp");
        serde_json::to_string(&d).unwrap()
    };
    assert!(doc() == doc(), "two scans of the same tree differ");
}

#[test]
fn cli_own_holder_and_exclude() {
    let dir = project(true);
    let cache = tempfile::tempdir().unwrap();
    let src = dir.path().display().to_string();
    let out =
        support::run(&["scan", &src, "-q", "--own-holder", "Zhipu AI", "--exclude", "model/"], cache.path());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> =
        doc["components"].as_array().unwrap().iter().map(|c| c["bom-ref"].as_str().unwrap()).collect();
    assert_eq!(ids, vec!["pkg:huggingface/Qwen/Qwen2.5-VL-7B-Instruct"]);
}

#[test]
fn corpus_ai_repositories_are_recognised() {
    let Some(corpus) = support::corpus("corpus_ai_repositories_are_recognised") else { return };
    let ai = corpus.join("ai");

    // DeepSeek-V3: MIT code licence and DeepSeek's model licence, DeepSeek as the project's own holder,
    // four inference configs with MLA + routed-expert keys, four ML frameworks in requirements.txt.
    let inv = support::scan_dir(&ai.join("deepseek-ai__DeepSeek-V3"));
    assert_eq!(
        inv.provenance.license_files,
        vec!["LICENSE-CODE: MIT", "LICENSE-MODEL: LicenseRef-DeepSeek-Model-1.0"]
    );
    let own: Vec<_> = inv.provenance.own_holders.iter().map(|h| (h.holder.as_str(), h.files)).collect();
    assert_eq!(own, vec![("DeepSeek", 2)], "`Copyright (c) 2023 DeepSeek` in LICENSE-CODE and LICENSE-MODEL");
    let m = by_id(&inv, "local:ml-model:inference/configs");
    assert_eq!(m.occurrences.len(), 4);
    assert!(m.occurrences.iter().all(|o| o.rule == "deepseek-mla-moe-config-keys"));
    assert_eq!(m.model.as_ref().unwrap().family.as_deref(), Some("deepseek"));
    let fw: Vec<&str> = inv.provenance.ml_frameworks.iter().map(|f| f.split(' ').next().unwrap()).collect();
    assert_eq!(fw, vec!["torch", "triton", "transformers", "safetensors"]);
    assert!(!inv.components.iter().any(|c| c.kind == ComponentKind::VendoredSource));

    // Qwen3: requirement files only (no licence file). ML frameworks: eval: openai, datasets;
    // perf-transformers: transformers, autoawq, modelscope, accelerate, optimum (the `# pip install`
    // comments are not requirements); perf-vllm: vllm, torch, modelscope, accelerate.
    let inv = support::scan_dir(&ai.join("QwenLM__Qwen3"));
    let fw: Vec<&str> = inv.provenance.ml_frameworks.iter().map(|f| f.split(' ').next().unwrap()).collect();
    assert_eq!(
        fw,
        vec![
            "openai",
            "datasets",
            "transformers",
            "autoawq",
            "modelscope",
            "accelerate",
            "optimum",
            "vllm",
            "torch",
            "modelscope",
            "accelerate"
        ]
    );
    assert!(inv.provenance.license_files.is_empty());

    // EXAONE 3.5: its custom non-commercial model licence.
    let inv = support::scan_dir(&ai.join("LG-AI-EXAONE__EXAONE-3.5"));
    assert_eq!(inv.provenance.license_files, vec!["LICENSE: LicenseRef-EXAONE-1.1-NC"]);
    let doc = support::cdx(&inv);
    support::validate_cdx(&doc, "corpus_ai_repositories_are_recognised");
}

#[test]
fn the_bundled_example_tells_the_story_of_the_readme() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/contest-entry");
    let inv = support::scan_dir(&example);
    let mut found: Vec<(String, Vec<String>)> = inv
        .components
        .iter()
        .filter(|c| matches!(c.kind, ComponentKind::MlModel | ComponentKind::VendoredSource))
        .map(|c| (c.id.clone(), found_in(c)))
        .collect();
    found.sort();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        found,
        vec![
            (
                "local:ml-model:encoders/vision".to_string(),
                s(&["config/inference.toml:7", "encoders/vision/encoder.py:6"])
            ),
            ("local:ml-model:model".to_string(), s(&["model/README.md:3", "model/config.json:3"])),
            (
                "local:ml-model:weights/audio-encoder-from-whisper-large-v3".to_string(),
                s(&[
                    "weights/audio-encoder-from-whisper-large-v3",
                    "weights/audio-encoder-from-whisper-large-v3/config.json:2"
                ])
            ),
            ("local:vendored-source:vendor/glm-rotary".to_string(), s(&["vendor/glm-rotary/rotary.py:1"])),
            ("pkg:huggingface/Qwen/Qwen2.5-VL-7B-Instruct".to_string(), s(&["config/inference.toml:4"])),
            ("pkg:huggingface/zai-org/GLM-4.5-Air".to_string(), s(&["model/README.md:3"])),
        ]
    );
    assert_eq!(inv.provenance.own_holders[0].holder, "Hanbit AI Lab");
    // The facets the README shows.
    use sovereign::model::Facet;
    let facet = |id: &str, f: Facet| {
        let c = by_id(&inv, id);
        c.origin.facets.get(&f).map(|o| o.countries.iter().map(|x| x.country.clone()).collect::<Vec<_>>())
    };
    assert_eq!(facet("local:ml-model:encoders/vision", Facet::Architecture), Some(vec!["CN".to_string()]));
    assert_eq!(facet("local:ml-model:encoders/vision", Facet::Weights), None);
    assert_eq!(
        by_id(&inv, "local:ml-model:encoders/vision").properties["weights-not-provided"],
        "weights/vision-encoder/model.safetensors"
    );
    assert_eq!(facet("local:ml-model:model", Facet::Weights), Some(vec!["CN".to_string()]));
    assert_eq!(facet("local:ml-model:model", Facet::Architecture), Some(vec!["CN".to_string()]));
    assert_eq!(
        facet("local:ml-model:weights/audio-encoder-from-whisper-large-v3", Facet::Weights),
        Some(vec!["US".to_string()])
    );
    assert_eq!(facet("local:vendored-source:vendor/glm-rotary", Facet::Code), Some(vec!["CN".to_string()]));
    assert!(inv.diagnostics.iter().any(|d| d.code == "weights-not-provided"));
    let doc = support::cdx(&inv);
    support::validate_cdx(&doc, "the_bundled_example_tells_the_story_of_the_readme");
}

#[test]
fn corpus_projects_have_no_false_vendored_components() {
    let Some(corpus) = support::corpus("corpus_projects_have_no_false_vendored_components") else { return };
    let vendored = |rel: &str| -> Vec<(String, String)> {
        support::scan_dir(&corpus.join(rel))
            .components
            .iter()
            .filter(|c| c.kind == ComponentKind::VendoredSource)
            .map(|c| (c.id.clone(), c.properties.get("provenance:holders").cloned().unwrap_or_default()))
            .collect()
    };
    // Their own notices (root LICENSE holders, also when a package LICENSE names a shorter form of the
    // same holder: vue's `Yuxi You` and `Yuxi You and Vue contributors`); the Apache License text's
    // "Grant of Copyright License." is not a holder (hugo).
    for rel in ["rust/BurntSushi__ripgrep", "go/gohugoio__hugo", "npm/vuejs__core", "npm/axios__axios"] {
        assert_eq!(vendored(rel), vec![], "{rel}");
    }
    // uv carries a crate whose LICENSE is `Copyright (c) 2024 Gribouille` (crates/uv-netrc/LICENSE:3).
    assert_eq!(
        vendored("rust/astral-sh__uv"),
        vec![("local:vendored-source:crates/uv-netrc".to_string(), "Gribouille".to_string())]
    );
    // nacos: no holder in its root (Apache) LICENSE; `Alibaba Group Holding Ltd.` heads most of the
    // tree's own files: the dominant holder is the project's own, not a vendored component.
    let inv = support::scan_dir(&corpus.join("maven/alibaba__nacos"));
    let nacos: Vec<_> = inv
        .components
        .iter()
        .filter(|c| c.kind == ComponentKind::VendoredSource)
        .map(|c| c.id.clone())
        .collect();
    // Its NOTICE and distribution/LICENSE-BIN list the notices of bundled libraries: one component each
    // for the root's and the binary distribution's third-party notices, no more.
    assert_eq!(nacos, ["local:vendored-source:(root)", "local:vendored-source:distribution"], "{nacos:?}");
    assert!(inv.components.iter().all(|c| !c
        .properties
        .get("provenance:holders")
        .is_some_and(|h| h.contains("Alibaba Group Holding Ltd"))));
    assert!(inv.provenance.own_holders.iter().any(|h| h.holder.contains("Alibaba Group Holding Ltd")));
}

#[test]
fn large_trees_are_analysed_in_parallel_with_the_same_result() {
    // 6 directories of 100 files (over the 512-file threshold of the parallel pass); file 50 of each
    // directory carries its own third party's notice.
    let dir = tempfile::tempdir().unwrap();
    let mut files: Vec<(String, String)> = vec![("LICENSE".into(), "Copyright 2025 Hanbit AI Lab\n".into())];
    for d in 0..6 {
        for i in 0..100 {
            let text = if i == 50 {
                format!("# Copyright 2024 Holder{d} Ltd\nx = {i}\n")
            } else {
                format!("x = {i}\n")
            };
            files.push((format!("d{d}/f{i}.py"), text));
        }
    }
    let refs: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    support::write_files(dir.path(), &refs);
    let inv = support::scan_dir(dir.path());
    assert_eq!(inv.provenance.files_scanned, 601);
    let got: Vec<(String, Vec<String>)> = inv
        .components
        .iter()
        .filter(|c| c.kind == ComponentKind::VendoredSource)
        .map(|c| (c.id.clone(), found_in(c)))
        .collect();
    let want: Vec<(String, Vec<String>)> =
        (0..6).map(|d| (format!("local:vendored-source:d{d}"), vec![format!("d{d}/f50.py:1")])).collect();
    assert_eq!(got, want);
    let again = support::scan_dir(dir.path());
    let json = |i: &Inventory| serde_json::to_string(i).unwrap();
    assert!(json(&inv) == json(&again), "two scans differ");
}

#[test]
fn provenance_survives_a_cyclonedx_round_trip() {
    let dir = project(true);
    let inv = support::scan_dir(dir.path());
    let first = sovereign::sbom::write(&inv, sovereign::sbom::Format::CyclonedxJson);
    let back = sovereign::sbom::read(&first, "entry.cdx.json").expect("read back");
    assert_eq!(back.provenance, inv.provenance);
    for id in [
        "local:ml-model:model",
        "local:vendored-source:src/vision",
        "pkg:huggingface/Qwen/Qwen2.5-VL-7B-Instruct",
    ] {
        let (a, b) = (by_id(&inv, id), by_id(&back, id));
        assert_eq!(
            (&a.occurrences, &a.copyrights, &a.model),
            (&b.occurrences, &b.copyrights, &b.model),
            "{id}"
        );
    }
    let second = sovereign::sbom::write(&back, sovereign::sbom::Format::CyclonedxJson);
    let strip = |b: &[u8]| {
        String::from_utf8_lossy(b)
            .lines()
            .filter(|l| !l.contains("\"timestamp\""))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(strip(&first) == strip(&second), "bytes differ after a round trip");
}

#[test]
fn spdx_records_model_lineage_as_descendant_of() {
    let dir = project(true);
    let inv = support::scan_dir(dir.path());
    let bytes = sovereign::sbom::write(&inv, sovereign::sbom::Format::SpdxJson);
    let doc: Value = serde_json::from_slice(&bytes).unwrap();
    support::validate("spdx-2.3.schema.json", &doc, "spdx_records_model_lineage_as_descendant_of");
    let lineage: Vec<&Value> = doc["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["relationshipType"] == "DESCENDANT_OF")
        .collect();
    assert_eq!(lineage.len(), 1, "{lineage:?}");
    assert_eq!(lineage[0]["comment"], "base model (finetune)");
    let back = sovereign::sbom::read(&bytes, "entry.spdx.json").expect("read back");
    let facts = by_id(&back, "local:ml-model:model").model.clone().unwrap_or_default();
    assert_eq!(facts.base_models, by_id(&inv, "local:ml-model:model").model.clone().unwrap().base_models);
}

/// `sovereign check` of a project directory with the bundled sovereign-AI policy: exit code and the
/// findings as (code, component, file:line).
fn check(dir: &Path) -> (i32, Vec<(String, String, String)>) {
    let cache = tempfile::tempdir().unwrap();
    let policy = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/policies/sovereign-ai-contest.yaml");
    let out = support::run(
        &[
            "check",
            &dir.display().to_string(),
            "--policy",
            &policy.display().to_string(),
            "--format",
            "json",
            "--today",
            "2026-11-29",
            "-q",
        ],
        cache.path(),
    );
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let findings = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let at = format!(
                "{}:{}",
                f["location"]["path"].as_str().unwrap_or("-"),
                f["location"]["line"].as_u64().map(|l| l.to_string()).unwrap_or_default()
            );
            (f["code"].as_str().unwrap().to_string(), f["component"].as_str().unwrap_or("").to_string(), at)
        })
        .collect();
    (out.status.code().unwrap_or(-1), findings)
}

#[test]
fn the_sovereign_ai_policy_fails_on_foreign_parts_and_points_at_them() {
    let dir = project(true);
    let (code, findings) = check(dir.path());
    assert_eq!(code, 1, "{findings:#?}");
    let has =
        |code: &str, comp: &str, at: &str| findings.iter().any(|(c, p, l)| c == code && p == comp && l == at);
    // The vision encoder and the base model: foreign models (rule) from a denied country (origin).
    for (comp, at) in [
        ("pkg:huggingface/Qwen/Qwen2.5-VL-7B-Instruct", "src/app.py:4"),
        ("pkg:huggingface/zai-org/GLM-4.5-Air", "model/README.md:3"),
    ] {
        assert!(has("component-banned", comp, at), "{comp} banned at {at}: {findings:#?}");
        assert!(has("origin-denied", comp, at), "{comp} denied at {at}: {findings:#?}");
    }
    // The local GLM-architecture model: not domestic by any evidence, so the model rule fires.
    assert!(
        findings.iter().any(|(c, p, _)| c == "component-banned" && p == "local:ml-model:model"),
        "{findings:#?}"
    );
    // The vendored Zhipu AI file: attributed to CN from its notice, pointed at by file and line.
    assert!(
        findings
            .iter()
            .any(|(_, p, l)| p == "local:vendored-source:src/vision" && l == "src/vision/glm_block.py:1"),
        "{findings:#?}"
    );
}

#[test]
fn the_same_project_without_foreign_parts_passes_the_policy() {
    let dir = project(false);
    let (code, findings) = check(dir.path());
    assert_eq!(code, 0, "{findings:#?}");
    // Only the policy's own housekeeping (its numpy waiver matched nothing); no component is judged.
    let about_components: Vec<_> = findings.iter().filter(|(_, comp, _)| !comp.is_empty()).collect();
    assert_eq!(about_components, Vec::<&(String, String, String)>::new());
    assert!(findings.iter().all(|(c, _, _)| c == "waiver-unused"), "{findings:#?}");
}

#[test]
fn self_scan_has_no_runtime_vendored_code_or_models_and_no_holder_from_strings() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("sovereign");
    std::fs::create_dir_all(&root).unwrap();
    support::copy_tree(Path::new(env!("CARGO_MANIFEST_DIR")), &root);
    let inv = support::scan_dir(&root);
    let runtime: Vec<(&str, &str)> = inv
        .components
        .iter()
        .filter(|c| matches!(c.kind, ComponentKind::VendoredSource | ComponentKind::MlModel))
        .filter(|c| c.scope == sovereign::model::Scope::Runtime)
        .map(|c| (c.id.as_str(), c.scope.as_str()))
        .collect();
    assert_eq!(runtime, vec![], "vendored-source or ml-model components in runtime scope");
    // No holder from the string literals of this repository's Rust code (its tests are full of them).
    for c in &inv.components {
        for e in c.origin.evidence.iter().filter(|e| e.kind == EvidenceKind::CopyrightHolder) {
            let file = e.source.split(':').next().unwrap_or("");
            assert!(!file.ends_with(".rs"), "{}: holder {:?} from {}", c.id, e.value, e.source);
        }
    }
    // The bundled example keeps its story, now as example material.
    let example = inv.component("local:vendored-source:examples/contest-entry/vendor/glm-rotary").unwrap();
    assert_eq!(example.scope, sovereign::model::Scope::Example);
}

#[test]
fn path_roles_give_test_example_docs_scopes_and_vendored_projects_are_one_component() {
    let tmp = tempfile::tempdir().unwrap();
    support::write_files(
        tmp.path(),
        &[
            ("LICENSE", "Copyright 2025 Hanbit AI Lab\n\nMIT License\n"),
            ("pyproject.toml", "[project]\nname = \"hanbit\"\nversion = \"1.0.0\"\n"),
            (
                "src/app.py",
                "# Copyright 2025 Hanbit AI Lab\nm = AutoModel.from_pretrained(\"Qwen/Qwen2.5-7B\")\n",
            ),
            ("tests/test_app.py", "m = AutoModel.from_pretrained(\"THUDM/glm-4-9b\")\n"),
            ("tests/fixtures/copied.py", "# Copyright 2019 Fixture Corp\n"),
            ("examples/demo.py", "m = AutoModel.from_pretrained(\"deepseek-ai/DeepSeek-V3\")\n"),
            ("docs/conf.py", "# Copyright 2020 Docs Theme Ltd\n"),
            ("web/app.test.js", "expect(x).toBe(\"Copyright 2019 Facebook\");\n"),
            // A whole engine with its own identity: one component, its tests inside it.
            ("engine/LICENSE", "Copyright 2023 Engine Makers Inc.\n\nApache License\n"),
            ("engine/pyproject.toml", "[project]\nname = \"fast-engine\"\nversion = \"0.4.1\"\n"),
            ("engine/fast_engine/core.py", "# Copyright 2023 Engine Makers Inc.\n"),
            ("engine/fast_engine/kernels/attn.py", "# Copyright 2023 Engine Makers Inc.\n"),
            ("engine/tests/test_core.py", "m = AutoModel.from_pretrained(\"Qwen/Qwen3-8B\")\n"),
            ("engine/examples/run.py", "# Copyright 2023 Engine Makers Inc.\n"),
            (".gitattributes", "site/** linguist-documentation\nlib/jq/** linguist-vendored\n"),
            ("site/page.py", "# Copyright 2021 Site Gen GmbH\n"),
            ("lib/jq/jq.js", "/* Copyright JS Foundation */\n"),
        ],
    );
    let inv = support::scan_dir(tmp.path());
    let scope = |id: &str| inv.component(id).map(|c| c.scope.as_str()).unwrap_or("absent");
    assert_eq!(scope("pkg:huggingface/Qwen/Qwen2.5-7B"), "runtime");
    assert_eq!(scope("pkg:huggingface/THUDM/glm-4-9b"), "test");
    assert_eq!(scope("pkg:huggingface/deepseek-ai/DeepSeek-V3"), "example");
    assert_eq!(scope("pkg:huggingface/Qwen/Qwen3-8B"), "test");
    assert_eq!(scope("local:vendored-source:tests/fixtures"), "test");
    assert_eq!(scope("local:vendored-source:docs"), "docs");
    assert_eq!(scope("local:vendored-source:site"), "docs");
    assert_eq!(scope("local:vendored-source:lib/jq"), "runtime");
    assert_eq!(scope("local:vendored-source:web"), "absent", "a string literal is no notice");
    let vendored: Vec<&str> = inv
        .components
        .iter()
        .filter(|c| c.kind == ComponentKind::VendoredSource && c.id.contains("engine"))
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(vendored, vec!["local:vendored-source:engine"]);
    let engine = inv.component("local:vendored-source:engine").unwrap();
    assert_eq!(engine.name, "fast-engine");
    assert_eq!(engine.version.as_deref(), Some("0.4.1"));
    assert_eq!(engine.purl.as_deref(), Some("pkg:pypi/fast-engine@0.4.1"));
    assert_eq!(engine.scope.as_str(), "runtime");
    assert_eq!(engine.properties.get("provenance:holders").map(String::as_str), Some("Engine Makers Inc"));
    // CycloneDX: excluded scope, sovereign:scope kept; SPDX round trip keeps it too.
    let doc = support::cdx(&inv);
    let comp = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["bom-ref"] == "pkg:huggingface/THUDM/glm-4-9b")
        .unwrap();
    assert_eq!(comp["scope"], "excluded");
    assert!(comp["properties"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "sovereign:scope" && p["value"] == "test"));
    support::validate_cdx(&doc, "path_roles_give_test_example_docs_scopes");
    // CycloneDX and SPDX 2.3 keep the path-role scopes on the way back (SPDX 3 is written, not read).
    use sovereign::sbom::{self, Format};
    for format in [Format::CyclonedxJson, Format::SpdxJson] {
        let mut back = sbom::read(&sbom::write(&inv, format), "back.json").unwrap();
        back.normalize();
        let scope = |id: &str| back.component(id).map(|c| c.scope.as_str()).unwrap_or("absent");
        assert_eq!(scope("pkg:huggingface/THUDM/glm-4-9b"), "test", "{format:?}");
        assert_eq!(scope("pkg:huggingface/deepseek-ai/DeepSeek-V3"), "example", "{format:?}");
        assert_eq!(scope("local:vendored-source:docs"), "docs", "{format:?}");
    }
}

#[test]
fn first_party_holders_from_manifests_repository_and_dominant_holder() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("widget");
    support::write_files(
        &root,
        &[
            // Apache text without a holder line.
            ("LICENSE", "                                 Apache License\n                           Version 2.0, January 2004\n"),
            ("go.mod", "module github.com/acme/widget\n\ngo 1.22\n"),
            ("main.go", "// Copyright 2024 Jane Roe and The Widget Authors\npackage main\n"),
            ("cmd/a/a.go", "// Copyright 2024 The Widget Authors\npackage a\n"),
            ("core/LICENSE", "MIT License\n"),
            ("core/package.json", "{\"name\": \"widget-core\", \"version\": \"1.0.0\"}\n"),
            ("core/index.js", "// Copyright 2024 the widget contributors\n"),
            ("internal/copied/sha.go", "// Copyright 2009 The Go Authors. All rights reserved.\npackage copied\n"),
        ],
    );
    let inv = support::scan_dir(&root);
    let vendored: Vec<(String, String)> = inv
        .components
        .iter()
        .filter(|c| c.kind == ComponentKind::VendoredSource)
        .map(|c| (c.id.clone(), c.properties.get("provenance:holders").cloned().unwrap_or_default()))
        .collect();
    assert_eq!(
        vendored,
        vec![("local:vendored-source:internal/copied".to_string(), "The Go Authors".to_string())]
    );
}

#[test]
fn policies_judge_path_role_scopes_only_when_named() {
    use sovereign::model::Scope;
    let tmp = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = tmp.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let default = sovereign::policy::load(&write("d.yaml", "version: 1\nname: d\n")).unwrap();
    assert!(default.judges(Scope::Runtime) && default.judges(Scope::Dev));
    assert!(!default.judges(Scope::Test) && !default.judges(Scope::Example) && !default.judges(Scope::Docs));
    let named =
        sovereign::policy::load(&write("n.yaml", "version: 1\nname: n\nscope: [runtime, test]\n")).unwrap();
    assert!(named.judges(Scope::Test) && !named.judges(Scope::Docs));
}

#[test]
fn folders_only_named_by_test_files_are_test_models() {
    // A lineage folder (`X-from-Y`) that a test file names but the tree does not hold takes the role of
    // the file that names it; the same folder named by runtime code stays runtime.
    let tmp = tempfile::tempdir().unwrap();
    support::write_files(
        tmp.path(),
        &[
            ("LICENSE", "Copyright 2025 Hanbit AI Lab\n\nMIT License\n"),
            ("tests/test_load.py", "w = load(\"ckpt/audio-encoder-from-whisper-large-v3/model.pt\")\n"),
            ("src/serve.py", "w = load(\"weights/vision-encoder-from-siglip-so400m/model.safetensors\")\n"),
        ],
    );
    let inv = support::scan_dir(tmp.path());
    let scopes: Vec<(&str, &str)> = inv
        .components
        .iter()
        .filter(|c| c.kind == ComponentKind::MlModel && c.id.starts_with("local:"))
        .map(|c| (c.id.as_str(), c.scope.as_str()))
        .collect();
    assert!(scopes.iter().any(|(id, s)| id.contains("whisper") && *s == "test"), "{scopes:?}");
    assert!(scopes.iter().any(|(id, s)| id.contains("siglip") && *s == "runtime"), "{scopes:?}");
}
