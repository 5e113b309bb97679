//! Repositories that license their code and their model separately, each in a file named for the part it
//! governs (`LICENSE-CODE` MIT beside `LICENSE-MODEL` a model licence, as DeepSeek does). Without this the
//! root's texts disagree and nothing is concluded; with it the root (the code) gets the code licence and
//! each model in the tree the model licence, or, when the tree holds no model component, the root gets
//! `code AND model` with a note saying why.

use std::collections::BTreeSet;

use crate::model::{ComponentKind, Diagnostic, Inventory, LicenseValue, SourceKind};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Code,
    Model,
}

/// The part a licence file governs, by its name (`LICENSE-CODE`, `LICENSE-MODEL`, `MODEL_LICENSE`,
/// `LICENSE.weights` …); None for a plain `LICENSE`.
fn role(source: &str) -> Option<Role> {
    let path = source.split(':').next().unwrap_or(source);
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_uppercase();
    if name.contains("MODEL") || name.contains("WEIGHT") {
        Some(Role::Model)
    } else if name.contains("CODE") || name.contains("SOFTWARE") {
        Some(Role::Code)
    } else {
        None
    }
}

fn joined(values: &[&LicenseValue]) -> String {
    let ids: BTreeSet<&str> = values.iter().map(|v| v.expression.as_str()).collect();
    let wrap = |e: &str| if e.contains(' ') { format!("({e})") } else { e.to_string() };
    match ids.len() {
        1 => ids.into_iter().next().unwrap_or_default().to_string(),
        _ => ids.into_iter().map(wrap).collect::<Vec<_>>().join(" AND "),
    }
}

fn sources(values: &[&LicenseValue]) -> String {
    values
        .iter()
        .map(|v| v.source.as_str())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect::<Vec<_>>()
        .join(", ")
}

/// The root's concluded licence when its texts split into code and model licences by file name and no
/// licence is declared for the root; the model components of the tree that have none get the model
/// licence. None when the texts do not split that way (the ordinary conclusion applies).
pub fn split_root(
    inv: &mut Inventory,
    declared: Option<&LicenseValue>,
    detected: &[LicenseValue],
) -> Option<(LicenseValue, Vec<Diagnostic>)> {
    if declared.is_some() || detected.iter().any(|d| !d.valid) {
        return None;
    }
    let code: Vec<&LicenseValue> = detected.iter().filter(|d| role(&d.source) == Some(Role::Code)).collect();
    let model: Vec<&LicenseValue> =
        detected.iter().filter(|d| role(&d.source) == Some(Role::Model)).collect();
    if code.is_empty() || model.is_empty() || code.len() + model.len() != detected.len() {
        return None;
    }
    let (code_expr, model_expr) = (joined(&code), joined(&model));
    let value = |expression: String, source: String| LicenseValue {
        valid: super::normalise::is_valid(&expression),
        expression,
        original: None,
        source,
        score: None,
    };
    let mut diags = Vec::new();
    let mut governed = 0;
    for c in &mut inv.components {
        let in_tree = matches!(c.source, Some(SourceKind::Local) | Some(SourceKind::Path { .. }));
        let unsettled =
            c.license.concluded.as_ref().is_none_or(|v| v.expression == super::conclude::NOASSERTION);
        if c.kind == ComponentKind::MlModel && in_tree && unsettled {
            c.license.concluded = Some(value(
                model_expr.clone(),
                format!("the repository's model licence ({})", sources(&model)),
            ));
            governed += 1;
        }
    }
    let concluded = if governed > 0 {
        value(
            code_expr,
            format!(
                "detected ({}): the code licence; the model licence ({}) is on the model component(s)",
                sources(&code),
                sources(&model)
            ),
        )
    } else {
        diags.push(Diagnostic::note(
            "license-code-and-model",
            format!(
                "{}: the code licence `{code_expr}` ({}) and the model licence `{model_expr}` ({}) apply to different parts, \
                 and no model component is in the tree to carry the model licence: concluded `{code_expr} AND {model_expr}`",
                inv.subject.name,
                sources(&code),
                sources(&model)
            ),
        ));
        value(
            format!("{} AND {}", wrap_or(&code_expr), wrap_or(&model_expr)),
            format!(
                "detected: code ({}) and model ({}) licences, both apply",
                sources(&code),
                sources(&model)
            ),
        )
    };
    Some((concluded, diags))
}

fn wrap_or(e: &str) -> String {
    if e.contains(" OR ") {
        format!("({e})")
    } else {
        e.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Component;

    fn detected(expr: &str, src: &str) -> LicenseValue {
        LicenseValue {
            expression: expr.into(),
            original: None,
            valid: true,
            source: src.into(),
            score: Some(1.0),
        }
    }

    #[test]
    fn code_on_the_root_model_licence_on_the_model() {
        let texts =
            vec![detected("MIT", "LICENSE-CODE"), detected("LicenseRef-DeepSeek-Model-1.0", "LICENSE-MODEL")];
        let mut inv = Inventory::default();
        let (root, diags) = split_root(&mut inv, None, &texts).unwrap();
        assert_eq!(root.expression, "MIT AND LicenseRef-DeepSeek-Model-1.0");
        assert_eq!(diags[0].code, "license-code-and-model");
        let mut m = Component::new(crate::model::Ecosystem::Generic, "configs", None);
        m.kind = ComponentKind::MlModel;
        m.source = Some(SourceKind::Path { path: "inference/configs".into() });
        inv.components.push(m);
        let (root, diags) = split_root(&mut inv, None, &texts).unwrap();
        assert_eq!(root.expression, "MIT");
        assert!(diags.is_empty());
        let model = inv.components[0].license.concluded.as_ref().unwrap();
        assert_eq!(model.expression, "LicenseRef-DeepSeek-Model-1.0");
        // A plain LICENSE beside them, or a declared root licence: the ordinary conclusion applies.
        let mut more = texts.clone();
        more.push(detected("Apache-2.0", "LICENSE"));
        assert!(split_root(&mut inv, None, &more).is_none());
        assert!(split_root(&mut inv, Some(&detected("MIT", "Cargo.toml")), &texts).is_none());
    }
}
