//! Origin attribution throughput: 10,000 components attributed offline (a plain harness).
//!
//! Run: `cargo bench --bench origin`. The components mix every ecosystem the collectors read, with
//! repository URLs, homepages and authors, known organisations and unknown individuals, so every
//! collector and the combination rule run; a quarter are models carrying provisional facet evidence
//! (co-held notices, model classes, base models, source-model names, model types). The first run includes loading the knowledge base and the
//! gazetteer (reported separately).

use std::time::{Duration, Instant};

use sovereign::enrich::origin::gazetteer::Gazetteer;
use sovereign::enrich::origin::{self, KnowledgeBase, OriginOptions};
use sovereign::model::{Component, ComponentKind, Ecosystem, EvidenceKind, Inventory, Location};
use sovereign::provenance::lineage::provisional;

fn components(n: usize) -> Vec<Component> {
    let templates: [(Ecosystem, Option<&str>, &str); 12] = [
        (Ecosystem::Npm, Some("@ant-design"), "icons"),
        (Ecosystem::Npm, None, "left-pad"),
        (Ecosystem::Maven, Some("com.alibaba.nacos"), "nacos-client"),
        (Ecosystem::Maven, Some("org.example.tools"), "util"),
        (Ecosystem::Golang, Some("github.com/cloudwego"), "kitex"),
        (Ecosystem::Golang, Some("github.com/someone"), "lib"),
        (Ecosystem::Pypi, None, "azure-storage-blob"),
        (Ecosystem::Pypi, None, "some-package"),
        (Ecosystem::Cargo, None, "windows-sys"),
        (Ecosystem::Cargo, None, "serde"),
        (Ecosystem::Huggingface, Some("Qwen"), "Qwen3-8B"),
        (Ecosystem::Huggingface, Some("bartowski"), "Qwen_Qwen3-8B-GGUF"),
    ];
    (0..n)
        .map(|i| {
            let (eco, ns, name) = templates[i % templates.len()];
            let mut c = Component::new(eco, format!("{name}{}", i / templates.len()), Some("1.0.0".into()));
            c.id = format!("{}-{i}", eco.as_str());
            c.namespace = ns.map(str::to_string);
            c.repository = Some(format!("https://github.com/owner{}/repo{i}", i % 97));
            c.homepage = Some(format!("https://site{}.example.{}", i % 13, ["com", "de", "io", "cn"][i % 4]));
            c.authors = vec![format!(
                "Person {i} <p{i}@{}>",
                ["gmail.com", "qq.com", "alibaba-inc.com", "uni.ac.kr"][i % 4]
            )];
            // Every fourth component is a model with what the provenance stage leaves for the origin
            // stage: a co-held notice, a model class, a base model, a source model named by a folder.
            if i % 4 == 0 {
                let at = Location::new(format!("m{i}/config.json"), Some(1));
                c.kind = ComponentKind::MlModel;
                c.origin.evidence.extend([
                    provisional(
                        EvidenceKind::CopyrightHolder,
                        "The ZhipuAI Inc. team and HuggingFace Inc. team",
                        "notice",
                        &at,
                    ),
                    provisional(
                        EvidenceKind::ModelClass,
                        "Qwen2_5_VisionTransformerPretrainedModel",
                        "import",
                        &at,
                    ),
                    provisional(EvidenceKind::BaseModel, "zai-org/GLM-4.5-Air", "model card", &at),
                    provisional(EvidenceKind::ModelReference, "whisper-large-v3", "folder name", &at),
                    provisional(EvidenceKind::ModelFamily, "glm4_moe", "model_type", &at),
                ]);
            }
            c
        })
        .collect()
}

fn main() {
    let start = Instant::now();
    let kb = KnowledgeBase::builtin();
    let loaded_kb = start.elapsed();
    let g = Gazetteer::builtin();
    let loaded_all = start.elapsed();
    println!(
        "load once: knowledge base {:.1} ms ({} organisations), + gazetteer {:.1} ms ({} names)",
        loaded_kb.as_secs_f64() * 1e3,
        kb.orgs.len(),
        (loaded_all - loaded_kb).as_secs_f64() * 1e3,
        g.len()
    );
    let base = components(10_000);
    let mut runs = 0u32;
    let mut total = Duration::ZERO;
    let mut attributed = 0;
    while total < Duration::from_secs(3) {
        let mut inv = Inventory { components: base.clone(), ..Inventory::default() };
        let t = Instant::now();
        origin::enrich(&mut inv, &OriginOptions::default());
        total += t.elapsed();
        runs += 1;
        attributed = inv.components.iter().filter(|c| c.origin.country.is_some()).count();
    }
    let per = total / runs;
    println!(
        "attribute 10,000 components offline: {runs} runs, {:.1} ms/run, {:.0} components/s ({attributed} attributed)",
        per.as_secs_f64() * 1e3,
        10_000.0 / per.as_secs_f64()
    );
    let t = Instant::now();
    let mut located = 0;
    for i in 0..10_000 {
        let text = ["Seoul", "Hangzhou, Zhejiang", "SF Bay Area", "Georgia", "東京", "Remote"][i % 6];
        located += usize::from(g.locate(text).is_some());
    }
    println!("gazetteer: 10,000 locations in {:.1} ms ({located} located)", t.elapsed().as_secs_f64() * 1e3);
}
