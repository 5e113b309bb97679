//! Assembles local model folders (a directory with a model config, a model card or weight files) into
//! `ml-model` components, with their base models as components of their own (lineage).

use std::collections::BTreeMap;

use super::model_files::{self, CardFacts, ConfigFacts, WeightFacts, MAX_HEADER};
use super::models::{family_evidence, family_of_type, hf_component, namespace_evidence, split_repo_id, Hub};
use super::vendored::upstream_model_file;
use crate::model::{
    purl, BaseModel, Component, ComponentKind, Diagnostic, Ecosystem, Evidence, EvidenceKind, LicenseValue,
    Location, ModelFacts, Occurrence, Scope, SourceKind,
};
use crate::source::{SourceTree, TreeFile};

#[derive(Default)]
struct Dir {
    configs: Vec<(String, ConfigFacts)>,
    card: Option<(String, CardFacts)>,
    weights: Vec<(String, WeightFacts)>,
    /// Lineage and architecture evidence from names and code (src/provenance/lineage.rs).
    lineage: Vec<(Evidence, Occurrence)>,
    /// Weights referenced but absent: `(path, where it is named)`.
    missing: Vec<(String, Location)>,
}

/// Local model folders, by directory.
#[derive(Default)]
pub struct LocalModels {
    dirs: BTreeMap<String, Dir>,
    licences: BTreeMap<String, Vec<(String, String)>>,
}

fn dir_of(path: &str) -> String {
    path.rfind('/').map(|i| path[..i].to_string()).unwrap_or_default()
}

impl LocalModels {
    /// Adds a parsed model configuration (only files named exactly config.json report parse errors).
    pub fn add_config(
        &mut self,
        path: &str,
        parsed: Result<Option<ConfigFacts>, Diagnostic>,
        diags: &mut Vec<Diagnostic>,
    ) {
        match parsed {
            Ok(Some(c)) => self.dirs.entry(dir_of(path)).or_default().configs.push((path.to_string(), c)),
            Ok(None) => {}
            Err(d) if path.ends_with("/config.json") || path == "config.json" => diags.push(d),
            Err(_) => {}
        }
    }

    /// Adds a parsed model card.
    pub fn add_card(
        &mut self,
        path: &str,
        parsed: Result<Option<CardFacts>, Diagnostic>,
        diags: &mut Vec<Diagnostic>,
    ) {
        match parsed {
            Ok(Some(c)) => self.dirs.entry(dir_of(path)).or_default().card = Some((path.to_string(), c)),
            Ok(None) => {}
            Err(d) => diags.push(d),
        }
    }

    /// Adds lineage or architecture evidence to the model of a folder (creating it when none is there).
    pub fn add_lineage(&mut self, dir: &str, e: Evidence, occ: Occurrence) {
        self.dirs.entry(dir.to_string()).or_default().lineage.push((e, occ));
    }

    /// Whether a folder already holds a model (a config, a card, weights, or lineage evidence).
    pub fn has_model(&self, dir: &str) -> bool {
        self.dirs.contains_key(dir)
    }

    /// Records weights that a config or code names but the tree lacks, on the model of `dir`.
    pub fn add_missing_weights(&mut self, dir: &str, path: &str, at: Location) {
        let d = self.dirs.entry(dir.to_string()).or_default();
        if !d.missing.iter().any(|(p, _)| p == path) {
            d.missing.push((path.to_string(), at));
        }
    }

    /// Adds a licence recognised in a licence file.
    pub fn add_licence(&mut self, path: &str, id: &str) {
        self.licences.entry(dir_of(path)).or_default().push((path.to_string(), id.to_string()));
    }

    /// Reads a weight file's header (bounded), never its tensors.
    pub fn weight_file(&mut self, tree: &SourceTree, f: &TreeFile, diags: &mut Vec<Diagnostic>) {
        let file = match tree.open(&f.path) {
            Ok(file) => file,
            Err(d) => {
                diags.push(d);
                return;
            }
        };
        let mut head = [0u8; 8];
        let lfs = {
            use std::io::Read;
            let mut r = &file;
            r.read(&mut head).map(|n| head[..n].starts_with(b"version ")).unwrap_or(false)
        };
        let facts = if lfs {
            diags.push(
                Diagnostic::note(
                    "model-weights-not-present",
                    "a Git LFS pointer, not the weights: no header to read",
                )
                .at(&f.path, None),
            );
            Ok(WeightFacts { format: "git-lfs-pointer", ..WeightFacts::default() })
        } else {
            use std::io::{Seek, SeekFrom};
            let mut file = file;
            if let Err(e) = file.seek(SeekFrom::Start(0)) {
                diags.push(
                    Diagnostic::error("unreadable-file", format!("cannot seek: {e}")).at(&f.path, None),
                );
                return;
            }
            if f.path.ends_with(".gguf") {
                model_files::read_gguf(&f.path, file, f.size, MAX_HEADER)
            } else {
                model_files::read_safetensors(&f.path, std::io::BufReader::new(file), f.size, MAX_HEADER)
            }
        };
        match facts {
            Ok(w) => self.dirs.entry(dir_of(&f.path)).or_default().weights.push((f.path.clone(), w)),
            Err(d) => diags.push(d),
        }
    }

    /// One component per model folder, plus one per base model it names.
    pub fn into_components(self, tree: &SourceTree, _diags: &mut [Diagnostic]) -> Vec<Component> {
        let mut out = Vec::new();
        let root_name = tree.root().file_name().and_then(|n| n.to_str()).unwrap_or("root").to_string();
        for (dir, d) in self.dirs {
            let name = if dir.is_empty() {
                root_name.clone()
            } else {
                dir.rsplit('/').next().unwrap_or(&dir).to_string()
            };
            let label = if dir.is_empty() { "(root)".to_string() } else { dir.clone() };
            let Some(p) = purl::build("generic", None, &name, None, &[]) else { continue };
            let mut c = Component::new(Ecosystem::Generic, &name, None);
            c.purl = Some(p);
            c.id = format!("local:ml-model:{label}");
            c.kind = ComponentKind::MlModel;
            c.scope = Scope::Runtime;
            c.direct = true;
            c.source = Some(SourceKind::Path { path: dir.clone() });
            let mut facts = ModelFacts { hub: "local".into(), ..ModelFacts::default() };
            let mut bases: Vec<(String, Location, Option<String>, &'static str)> = Vec::new();

            for (path, cf) in &d.configs {
                if let Some((t, line)) = &cf.model_type {
                    let loc = Location::new(path.as_str(), Some(*line));
                    facts.model_type.get_or_insert_with(|| t.clone());
                    c.found_in.push(loc.clone());
                    c.occurrences.push(Occurrence {
                        location: loc.clone(),
                        rule: "hf-config-model-type".into(),
                        text: Some(format!("model_type: {t}")),
                    });
                    if let Some(f) = family_of_type(t) {
                        facts.family.get_or_insert_with(|| f.id.clone());
                    }
                    c.origin.evidence.push(family_evidence(t, "config.json model_type", &loc));
                }
                for a in &cf.architectures {
                    if !facts.architectures.contains(a) {
                        facts.architectures.push(a.clone());
                    }
                }
                if let Some((n, line)) = &cf.name_or_path {
                    bases.push((
                        n.clone(),
                        Location::new(path.as_str(), Some(*line)),
                        None,
                        "hf-config-name-or-path",
                    ));
                }
                for (class, line) in &cf.auto_map {
                    let loc = Location::new(path.as_str(), Some(*line));
                    // `org/repo--modeling_x.Class` loads code from another repository.
                    let (repo, module) = match class.split_once("--") {
                        Some((r, m)) => (Some(r), m),
                        None => (None, class.as_str()),
                    };
                    if let Some(r) = repo.filter(|r| split_repo_id(r).is_some()) {
                        bases.push((
                            r.to_string(),
                            loc.clone(),
                            Some("remote-code".into()),
                            "hf-config-auto-map",
                        ));
                    }
                    let module = module.split('.').next().unwrap_or(module);
                    c.occurrences.push(Occurrence {
                        location: loc.clone(),
                        rule: "hf-config-auto-map".into(),
                        text: Some(class.clone()),
                    });
                    if let Some((stem, f)) = upstream_model_file(&format!("{module}.py")) {
                        c.origin.evidence.push(family_evidence(
                            f.representative(),
                            &format!("auto_map code `{module}` ({stem}), family {}", f.id),
                            &loc,
                        ));
                        facts.family.get_or_insert_with(|| f.id.clone());
                    }
                }
                for (key, t, line) in &cf.sub_model_types {
                    let loc = Location::new(path.as_str(), Some(*line));
                    c.occurrences.push(Occurrence {
                        location: loc.clone(),
                        rule: "hf-config-sub-model-type".into(),
                        text: Some(format!("{key}.model_type: {t}")),
                    });
                    c.origin.evidence.push(family_evidence(
                        t,
                        &format!("config.json {key}.model_type"),
                        &loc,
                    ));
                }
                for (key, v, line) in &cf.source_models {
                    let loc = Location::new(path.as_str(), Some(*line));
                    if split_repo_id(v).is_some() && !v.starts_with('.') {
                        bases.push((v.clone(), loc, None, "hf-config-source-model"));
                    } else if !super::families::families_in_name(v.rsplit('/').next().unwrap_or(v)).is_empty()
                    {
                        c.occurrences.push(Occurrence {
                            location: loc.clone(),
                            rule: "config-source-model".into(),
                            text: Some(format!("{key}: {v}")),
                        });
                        c.origin.evidence.push(super::lineage::provisional(
                            EvidenceKind::ModelReference,
                            v,
                            &format!("config {key}"),
                            &loc,
                        ));
                    }
                }
                if let Some((fam_id, rule, line)) = cf.shape_family {
                    let loc = Location::new(path.as_str(), Some(line));
                    c.found_in.push(loc.clone());
                    c.occurrences.push(Occurrence { location: loc.clone(), rule: rule.into(), text: None });
                    if let Some(f) = super::models::families().iter().find(|f| f.id == fam_id) {
                        facts.family.get_or_insert_with(|| f.id.clone());
                        c.origin.evidence.push(super::families::weak_family_evidence(
                            f.representative(),
                            &format!("architecture-shape keys, family {}", f.id),
                            &loc,
                        ));
                    }
                }
            }

            if let Some((path, card)) = &d.card {
                for (b, line) in &card.base_models {
                    bases.push((
                        b.clone(),
                        Location::new(path.as_str(), Some(*line)),
                        card.relation.clone(),
                        "model-card-base-model",
                    ));
                }
                if let Some((lic, line)) = &card.license {
                    let expr = model_files::card_license(lic, card.license_name.as_deref());
                    let mut v =
                        LicenseValue::declared(&expr, Location::new(path.as_str(), Some(*line)).to_string());
                    v.original = Some(lic.clone());
                    c.license.declared = Some(v);
                }
                facts.datasets = card.datasets.clone();
                facts.task = card.task.clone();
                facts.library = card.library.clone();
                c.occurrences.push(Occurrence {
                    location: Location::new(path.as_str(), Some(1)),
                    rule: "model-card".into(),
                    text: None,
                });
            }

            let mut st_params: Option<u64> = Some(0);
            let mut st_tensors = 0u64;
            let mut any_st = false;
            for (path, w) in &d.weights {
                let loc = Location::new(path.as_str(), None);
                if !facts.file_formats.iter().any(|f| f == w.format) {
                    facts.file_formats.push(w.format.to_string());
                }
                c.found_in.push(loc.clone());
                c.occurrences.push(Occurrence {
                    location: loc.clone(),
                    rule: format!("{}-header", w.format),
                    text: None,
                });
                if w.format == "safetensors" {
                    any_st = true;
                    st_tensors += w.tensors;
                    st_params = match (st_params, w.parameters) {
                        (Some(a), Some(b)) => a.checked_add(b),
                        _ => None,
                    };
                } else if w.format == "gguf" {
                    facts.parameter_count = facts.parameter_count.max(w.parameters);
                    facts.tensor_count = facts.tensor_count.max(Some(w.tensors));
                }
                if let Some(a) = &w.architecture {
                    facts.model_type.get_or_insert_with(|| a.clone());
                    if let Some(f) = family_of_type(a) {
                        facts.family.get_or_insert_with(|| f.id.clone());
                    }
                    c.origin.evidence.push(family_evidence(a, "GGUF general.architecture", &loc));
                }
                for (k, v) in &w.metadata {
                    if k.starts_with("general.base_model.") && k.ends_with(".repo_url") {
                        let id = v.trim_end_matches('/').rsplitn(3, '/').collect::<Vec<_>>();
                        if id.len() == 3 && v.contains("huggingface.co/") {
                            bases.push((
                                format!("{}/{}", id[1], id[0]),
                                loc.clone(),
                                None,
                                "gguf-base-model",
                            ));
                        }
                    } else if k == "general.organization" {
                        c.origin.evidence.push(Evidence {
                            kind: EvidenceKind::KnownOrganisation,
                            value: v.clone(),
                            country: None,
                            weight: 0.5,
                            source: format!("{loc} (GGUF general.organization)"),
                            weak: false,
                            organisation: None,
                            parent_country: None,
                            facet: None,
                        });
                    } else if k == "general.license" && c.license.declared.is_none() {
                        c.license.declared = Some(LicenseValue::declared(
                            &model_files::card_license(v, None),
                            format!("{loc} (general.license)"),
                        ));
                    }
                    if k.starts_with("general.") {
                        c.properties
                            .entry(format!("model:{}", k.trim_start_matches("general.")))
                            .or_insert_with(|| v.clone());
                    }
                }
            }
            if any_st {
                facts.parameter_count = st_params;
                facts.tensor_count = Some(st_tensors);
            }
            for (path, id) in self.licences.get(&dir).into_iter().flatten() {
                c.license
                    .detected
                    .push(LicenseValue { score: None, ..LicenseValue::declared(id, path.clone()) });
            }

            for (e, occ) in d.lineage {
                c.found_in.push(occ.location.clone());
                c.occurrences.push(occ);
                if !c.origin.evidence.contains(&e) {
                    c.origin.evidence.push(e);
                }
            }
            for (p, at) in &d.missing {
                c.found_in.push(at.clone());
                c.occurrences.push(Occurrence {
                    location: at.clone(),
                    rule: "weights-not-provided".into(),
                    text: Some(p.clone()),
                });
            }
            if !d.missing.is_empty() {
                let list: Vec<&str> = d.missing.iter().map(|(p, _)| p.as_str()).collect();
                c.properties.insert("weights-not-provided".into(), list.join(", "));
            }
            for (b, loc, relation, rule) in bases {
                let Some((ns, n)) = split_repo_id(&b) else { continue };
                let Some(mut base) = hf_component(ns, n, None) else { continue };
                base.direct = false;
                base.found_in.push(loc.clone());
                base.occurrences.push(Occurrence {
                    location: loc.clone(),
                    rule: rule.into(),
                    text: Some(b.clone()),
                });
                base.origin.evidence.push(namespace_evidence(ns, Hub::HuggingFace, &loc));
                if !facts.base_models.iter().any(|m| m.component == base.id) {
                    facts.base_models.push(BaseModel { component: base.id.clone(), relation });
                    // Weights lineage: the base model's origin is where this model's weights start.
                    c.origin.evidence.push(super::lineage::provisional(
                        EvidenceKind::BaseModel,
                        &b,
                        rule,
                        &loc,
                    ));
                }
                c.found_in.push(loc);
                out.push(base);
            }
            c.description = Some(format!("local model in {label}"));
            c.model = Some(facts);
            out.push(c);
        }
        out
    }
}
