//! Origin facets (docs/origin.md "Facets"): co-holder notices, two-country components, lineage from
//! names, configs and model classes, weights referenced but absent, the policy facet selector, and round
//! trips of every facet through every format.

use std::path::Path;

use sovereign::model::{ComponentKind, EvidenceKind, Facet, Inventory};
use sovereign::policy::{self, Date, EvalOptions};
use sovereign::sbom::{self, Format};

use crate::support::{scan_dir, write_files};

fn by_id<'a>(inv: &'a Inventory, id: &str) -> &'a sovereign::model::Component {
    inv.components.iter().find(|c| c.id == id).unwrap_or_else(|| {
        panic!("no `{id}` in {:?}", inv.components.iter().map(|c| &c.id).collect::<Vec<_>>())
    })
}

fn facet_countries(c: &sovereign::model::Component, f: Facet) -> Vec<String> {
    let mut v: Vec<String> = c
        .origin
        .facets
        .get(&f)
        .map(|o| o.countries.iter().map(|x| x.country.clone()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn a_co_authored_notice_gives_both_countries_in_the_code_facet() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("LICENSE", "Copyright 2025 Hanbit AI Lab\n\nMIT License\n"),
            (
                "third_party/glm/glm_block.py",
                "# Copyright 2025 The ZhipuAI Inc. team and HuggingFace Inc. team. All rights reserved.\n\
                 # Licensed under the Apache License, Version 2.0\nclass GlmBlock:\n    pass\n",
            ),
        ],
    );
    let inv = scan_dir(dir.path());
    let c = by_id(&inv, "local:vendored-source:third_party/glm");
    assert_eq!(facet_countries(c, Facet::Code), vec!["CN", "US"], "{:#?}", c.origin);
    assert_eq!(c.origin.countries, vec!["CN".to_string(), "US".to_string()]);
    assert!(c.origin.country.is_some(), "never unknown: {:#?}", c.origin);
    // Both with their confidences; the evidence is tagged with its facet.
    let code = &c.origin.facets[&Facet::Code];
    assert!(code.countries.iter().all(|x| x.confidence >= 0.6), "{code:#?}");
    assert!(c.origin.evidence.iter().filter(|e| e.country.is_some()).all(|e| e.facet == Some(Facet::Code)));
}

/// A submission like the bundled example: a Whisper-derived audio encoder folder, a vision encoder built
/// on a Qwen class whose weights are absent, and a config naming a source model and sub-architectures.
fn lineage_tree(dir: &Path) {
    write_files(
        dir,
        &[
            ("LICENSE", "Copyright 2025 Hanbit AI Lab\n\nMIT License\n"),
            (
                "weights/audio-encoder-from-whisper-large-v3/config.json",
                "{\n  \"model_type\": \"whisper\",\n  \"d_model\": 1280\n}\n",
            ),
            (
                "encoders/vision/encoder.py",
                "from transformers import AutoConfig, Qwen2_5_VisionTransformerPretrainedModel\n\
                 WEIGHTS = \"weights/vision-encoder/model.safetensors\"\n\
                 enc = Qwen2_5_VisionTransformerPretrainedModel._from_config(AutoConfig())\n",
            ),
            (
                "mm/config.json",
                "{\n  \"model_type\": \"hanbit_mm\",\n  \"vision_config\": {\"model_type\": \"siglip_vision_model\"},\n  \
                 \"init_from\": \"qwen2.5-7b\"\n}\n",
            ),
        ],
    );
}

#[test]
fn lineage_from_folder_names_configs_and_model_classes() {
    let dir = tempfile::tempdir().unwrap();
    lineage_tree(dir.path());
    let inv = scan_dir(dir.path());

    // `audio-encoder-from-whisper-large-v3`: weights from Whisper (model-reference), Whisper architecture.
    let audio = by_id(&inv, "local:ml-model:weights/audio-encoder-from-whisper-large-v3");
    assert_eq!(audio.kind, ComponentKind::MlModel);
    assert_eq!(facet_countries(audio, Facet::Weights), vec!["US"], "{:#?}", audio.origin);
    assert_eq!(facet_countries(audio, Facet::Architecture), vec!["US"]);
    let r = audio.origin.evidence.iter().find(|e| e.kind == EvidenceKind::ModelReference).unwrap();
    assert!(
        r.value.contains("whisper-large-v3")
            && r.source.starts_with("weights/audio-encoder-from-whisper-large-v3")
    );

    // The vision encoder: a Qwen class imported → Qwen architecture, high confidence, architecture only.
    let vision = by_id(&inv, "local:ml-model:encoders/vision");
    assert_eq!(facet_countries(vision, Facet::Architecture), vec!["CN"], "{:#?}", vision.origin);
    assert!(vision.origin.facets[&Facet::Architecture].confidence() >= 0.8);
    assert!(facet_countries(vision, Facet::Weights).is_empty());
    assert_eq!(vision.origin.country, None, "an architecture is not where the component comes from");
    let class = vision.origin.evidence.iter().find(|e| e.kind == EvidenceKind::ModelClass).unwrap();
    assert!(class.source.starts_with("encoders/vision/encoder.py:1"), "{}", class.source);
    // Its weights are named but absent: a weights-not-provided error naming the path, on that model.
    assert_eq!(vision.properties["weights-not-provided"], "weights/vision-encoder/model.safetensors");
    let d = inv.diagnostics.iter().find(|d| d.code == "weights-not-provided").expect("diagnostic");
    assert_eq!(d.location.as_ref().unwrap().to_string(), "encoders/vision/encoder.py:2");
    assert!(
        d.message.contains("weights/vision-encoder/model.safetensors") && d.message.contains("hand over")
    );

    // A config: `vision_config.model_type` (SigLIP: architecture US) and `init_from: qwen2.5-7b` (weights CN).
    let mm = by_id(&inv, "local:ml-model:mm");
    assert_eq!(facet_countries(mm, Facet::Architecture), vec!["US"], "{:#?}", mm.origin);
    assert_eq!(facet_countries(mm, Facet::Weights), vec!["CN"]);
    assert_eq!(mm.origin.country.as_deref(), Some("CN"), "weights decide the component's country");
    assert_eq!(mm.origin.countries, vec!["CN".to_string(), "US".to_string()]);
}

#[test]
fn present_weights_and_hub_ids_are_not_reported_missing() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("weights/enc/model.safetensors", "not really"),
            (
                "run.py",
                "W = \"weights/enc/model.safetensors\"\nM = \"Qwen/Qwen2-7B\"\nN = \"pytorch_model.bin\"\n\
                 U = \"https://example.org/x/model.bin\"\n",
            ),
        ],
    );
    let inv = scan_dir(dir.path());
    assert!(inv.diagnostics.iter().all(|d| d.code != "weights-not-provided"), "{:#?}", inv.diagnostics);
}

fn verdict(policy_yaml: &str, inv: &Inventory) -> Vec<(String, String, String)> {
    let p = policy::from_str(policy_yaml, "p.yaml").unwrap_or_else(|e| panic!("{e}"));
    let today = Date::parse("2026-01-01").unwrap();
    let v = policy::evaluate(&p, inv, &EvalOptions { today });
    v.findings
        .into_iter()
        .filter(|f| f.component.as_deref().is_some_and(|c| c.starts_with("local:ml-model")))
        .map(|f| (f.rule, f.code, f.component.unwrap_or_default()))
        .collect()
}

#[test]
fn the_policy_judges_every_facet_by_default_and_facets_restrict_it() {
    let dir = tempfile::tempdir().unwrap();
    lineage_tree(dir.path());
    let inv = scan_dir(dir.path());
    // Default: every country of every facet: the vision encoder's CN architecture is denied.
    let all = verdict("version: 1\norigin:\n  deny: [CN]\n  unknown: allow\n", &inv);
    assert!(
        all.contains(&("origin".into(), "origin-denied".into(), "local:ml-model:encoders/vision".into())),
        "{all:?}"
    );
    assert!(all.contains(&("origin".into(), "origin-denied".into(), "local:ml-model:mm".into())));
    // `facets: [weights]`: the architecture-only encoder passes, the model initialised from Qwen does not.
    let weights = verdict("version: 1\norigin:\n  deny: [CN]\n  facets: [weights]\n  unknown: allow\n", &inv);
    assert_eq!(weights, vec![("origin".into(), "origin-denied".into(), "local:ml-model:mm".into())]);
    // The `facet:` selector: a warning rule for foreign architectures only.
    let arch = verdict(
        "version: 1\nrules:\n  - id: architecture-reuse\n    when: { facet: architecture, origin_in: [CN] }\n    severity: warning\n",
        &inv,
    );
    assert_eq!(
        arch,
        vec![(
            "architecture-reuse".into(),
            "component-banned".into(),
            "local:ml-model:encoders/vision".into()
        )]
    );
    // US architecture (SigLIP) is selected by `origin_not_in: [CN]` with the facet; CN-only is not.
    let not_cn = verdict(
        "version: 1\nrules:\n  - id: non-cn-arch\n    when: { facet: architecture, origin_not_in: [CN] }\n",
        &inv,
    );
    assert!(not_cn.iter().all(|f| f.2 != "local:ml-model:encoders/vision"), "{not_cn:?}");
    assert!(not_cn.iter().any(|f| f.2 == "local:ml-model:mm"), "{not_cn:?}");
    // weights not provided: its own finding code, naming the path.
    let wnp = verdict(
        "version: 1\nrules:\n  - id: hand-over-weights\n    when: { weights_not_provided: true }\n",
        &inv,
    );
    assert_eq!(
        wnp,
        vec![(
            "hand-over-weights".into(),
            "weights-not-provided".into(),
            "local:ml-model:encoders/vision".into()
        )]
    );
}

#[test]
fn facets_round_trip_through_every_format() {
    let dir = tempfile::tempdir().unwrap();
    lineage_tree(dir.path());
    write_files(
        dir.path(),
        &[(
            "third_party/glm/glm_block.py",
            "# Copyright 2025 The ZhipuAI Inc. team and HuggingFace Inc. team.\nx = 1\n",
        )],
    );
    let inv = scan_dir(dir.path());
    let strip = |b: &[u8]| {
        String::from_utf8_lossy(b)
            .lines()
            .filter(|l| {
                !l.contains("\"timestamp\"") && !l.contains("\"created\"") && !l.contains("\"creationInfo\"")
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    // SPDX 3.0.1 is written (not read): its extensions carry the same facet properties.
    let spdx3 = String::from_utf8(sbom::write(&inv, Format::Spdx3Json)).unwrap();
    for p in
        ["sovereign:origin:countries", "sovereign:origin:weights:country", "sovereign:origin:code:country"]
    {
        assert!(spdx3.contains(p), "SPDX 3 lacks {p}");
    }
    for format in [Format::CyclonedxJson, Format::SpdxJson] {
        let first = sbom::write(&inv, format);
        let back = sbom::read(&first, "in.json").unwrap_or_else(|e| panic!("{format:?}: {e}"));
        let second = sbom::write(&back, format);
        assert_eq!(strip(&first), strip(&second), "{format:?}: bytes differ after a round trip");
        for c in inv.components.iter().filter(|c| !c.origin.facets.is_empty()) {
            let b = back.components.iter().find(|x| x.id == c.id).unwrap_or_else(|| {
                panic!(
                    "{format:?}: no {} in {:?}",
                    c.id,
                    back.components.iter().map(|x| &x.id).collect::<Vec<_>>()
                )
            });
            assert_eq!(b.origin.countries, c.origin.countries, "{format:?} {}", c.id);
            let keys = |o: &sovereign::model::Origin| {
                o.facets
                    .iter()
                    .map(|(f, fo)| {
                        (
                            *f,
                            fo.countries.iter().map(|x| x.country.clone()).collect::<Vec<_>>(),
                            (fo.confidence() * 100.0).round(),
                        )
                    })
                    .collect::<Vec<_>>()
            };
            assert_eq!(keys(&b.origin), keys(&c.origin), "{format:?} {}", c.id);
            let facets =
                |o: &sovereign::model::Origin| o.evidence.iter().map(|e| e.facet()).collect::<Vec<_>>();
            assert_eq!(facets(&b.origin), facets(&c.origin), "{format:?} {}", c.id);
        }
    }
    // The CycloneDX properties the lineage harness reads.
    let doc = crate::support::cdx(&inv);
    let comp =
        doc["components"].as_array().unwrap().iter().find(|c| c["bom-ref"] == "local:ml-model:mm").unwrap();
    let prop = |n: &str| {
        comp["properties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == n)
            .map(|p| p["value"].as_str().unwrap().to_string())
    };
    assert_eq!(prop("sovereign:origin:countries").as_deref(), Some("CN,US"));
    assert_eq!(prop("sovereign:origin:weights:country").as_deref(), Some("CN"));
    assert_eq!(prop("sovereign:origin:architecture:country").as_deref(), Some("US"));
    assert!(prop("sovereign:origin:weights:confidence").is_some());
    let glm = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["bom-ref"] == "local:vendored-source:third_party/glm")
        .unwrap();
    let code = glm["properties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "sovereign:origin:code:country")
        .unwrap();
    assert_eq!(code["value"], "CN,US");
}
