//! Components of referenced models: Hugging Face (purl type `huggingface`), ModelScope and Ollama.

use super::families::{family_evidence, family_of_stem};
use super::models::{Hub, ModelRef};

/// Weight of a model-hub namespace as origin evidence.
pub const NAMESPACE_WEIGHT: f64 = 0.9;
use crate::model::{
    purl, Component, ComponentKind, Ecosystem, Evidence, EvidenceKind, Location, ModelFacts, Occurrence,
    Scope, SourceKind,
};

/// The component of a Hugging Face model repository (purl type `huggingface`: namespace and name are
/// case-sensitive, the version is the lower-case commit).
pub fn hf_component(ns: &str, name: &str, version: Option<&str>) -> Option<Component> {
    let p = purl::build("huggingface", Some(ns), name, version, &[])?;
    let mut c = Component::new(Ecosystem::Huggingface, name, version.map(str::to_string)).with_purl(p);
    c.namespace = Some(ns.to_string());
    c.kind = ComponentKind::MlModel;
    c.source = Some(SourceKind::Registry { url: None });
    c.repository = Some(format!("https://huggingface.co/{ns}/{name}"));
    c.model = Some(ModelFacts { hub: "huggingface".into(), ..ModelFacts::default() });
    Some(c)
}

/// The component of a model reference, with its occurrence and origin evidence (the namespace, for the
/// origin stage to attribute; no country is guessed here).
pub fn ref_component(r: &ModelRef) -> Option<Component> {
    let mut c = match r.hub {
        Hub::HuggingFace => hf_component(r.namespace.as_deref()?, &r.name, r.version.as_deref())?,
        Hub::ModelScope => {
            let ns = r.namespace.as_deref()?;
            let url = format!("https://modelscope.cn/models/{ns}/{}", r.name);
            let p = purl::build("generic", Some(ns), &r.name, None, &[("download_url", &url)])?;
            let mut c = Component::new(Ecosystem::Generic, &r.name, None).with_purl(p);
            c.namespace = Some(ns.to_string());
            c.repository = Some(url);
            c
        }
        Hub::Ollama => {
            let ns = r.namespace.as_deref().unwrap_or("library");
            let p = purl::build(
                "generic",
                Some("ollama"),
                &format!("{ns}/{}", r.name),
                r.version.as_deref(),
                &[],
            )
            .or_else(|| purl::build("generic", Some("ollama"), &r.name, r.version.as_deref(), &[]))?;
            let mut c = Component::new(Ecosystem::Generic, &r.name, r.version.clone()).with_purl(p);
            c.namespace = r.namespace.clone();
            c
        }
    };
    c.kind = ComponentKind::MlModel;
    c.scope = Scope::Runtime;
    c.direct = true;
    c.found_in.push(r.location.clone());
    let text = match &r.namespace {
        Some(ns) => format!("{ns}/{}", r.name),
        None => r.name.clone(),
    };
    c.occurrences.push(Occurrence {
        location: r.location.clone(),
        rule: r.rule.to_string(),
        text: Some(text),
    });
    let mut facts = c.model.take().unwrap_or_default();
    facts.hub = r.hub.as_str().to_string();
    c.model = Some(facts);
    match (&r.namespace, r.hub) {
        (Some(ns), Hub::HuggingFace | Hub::ModelScope) => {
            c.origin.evidence.push(namespace_evidence(ns, r.hub, &r.location))
        }
        (_, Hub::Ollama) => {
            // Library models are named after their family (`qwen2.5`, `llama3.1`): weak evidence only.
            let stem: String = r.name.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
            if let Some(f) = family_of_stem(&stem) {
                c.origin.evidence.push(family_evidence(
                    f.representative(),
                    &format!("Ollama library model name {}, family {}", r.name, f.id),
                    &r.location,
                ));
                c.model.get_or_insert_with(ModelFacts::default).family = Some(f.id.clone());
            }
        }
        _ => {}
    }
    Some(c)
}

/// Origin evidence from a model-hub namespace (`Qwen` on Hugging Face): the organisation identifier the
/// origin stage attributes.
pub fn namespace_evidence(ns: &str, hub: Hub, at: &Location) -> Evidence {
    Evidence {
        kind: EvidenceKind::KnownOrganisation,
        value: ns.to_string(),
        country: None,
        weight: NAMESPACE_WEIGHT,
        source: format!("{at} ({} namespace)", hub.as_str()),
        weak: false,
        organisation: None,
        parent_country: None,
        facet: None,
    }
}
