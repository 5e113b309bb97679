//! Licences: categories, normalisation of declared licences, text detection, concluded licences,
//! CycloneDX output.

use std::collections::BTreeSet;

use sovereign::enrich::license::{ai::AiLicenses, category, Categories};
use sovereign::model::LicenseCategory;

#[test]
fn every_spdx_license_and_shipped_license_ref_has_exactly_one_category() {
    // The YAML loader rejects an id listed twice; here every SPDX id of the crate's table must resolve.
    let table = Categories::builtin();
    let missing: Vec<&str> = spdx::identifiers::LICENSES
        .iter()
        .map(|l| l.name)
        .filter(|n| *n != "NOASSERTION")
        .filter(|n| table.get(n).is_none())
        .collect();
    assert!(missing.is_empty(), "SPDX ids without a category: {missing:?}");
    assert_eq!(category("NOASSERTION"), None, "NOASSERTION is not a licence");
    for l in &AiLicenses::builtin().licenses {
        assert_eq!(category(&l.id), Some(l.category), "{}", l.id);
        assert!(spdx::Expression::parse(&l.id).is_ok(), "{} is not a valid LicenseRef", l.id);
    }
    // Nothing in the table that is neither an SPDX id nor a LicenseRef (typos would hide there).
    let spdx_ids: BTreeSet<String> =
        spdx::identifiers::LICENSES.iter().map(|l| l.name.to_ascii_lowercase()).collect();
    let strays: Vec<&str> = table
        .ids()
        .map(|(id, _)| id)
        .filter(|id| !spdx_ids.contains(*id) && !id.starts_with("licenseref-"))
        .collect();
    assert!(strays.is_empty(), "unknown ids in categories.yaml: {strays:?}");
}

#[test]
fn categories_of_well_known_licences() {
    use LicenseCategory::*;
    for (id, want) in [
        ("MIT", Permissive),
        ("Apache-2.0", Permissive),
        ("mit", Permissive),
        ("BSD-3-Clause", Permissive),
        ("Unicode-3.0", Permissive),
        ("MPL-2.0", WeakCopyleft),
        ("LGPL-2.1-or-later", WeakCopyleft),
        ("EPL-2.0", WeakCopyleft),
        ("GPL-2.0-only", StrongCopyleft),
        ("GPL-2.0+", StrongCopyleft),
        ("GPL-3.0-or-later", StrongCopyleft),
        ("LGPL-2.1+", WeakCopyleft),
        ("AGPL-3.0-only", NetworkCopyleft),
        ("SSPL-1.0", NetworkCopyleft),
        ("CC0-1.0", PublicDomain),
        ("Unlicense", PublicDomain),
        ("CC-BY-NC-4.0", NonCommercial),
        ("CC-BY-NC-SA-4.0", NonCommercial),
        ("JSON", UseRestricted),
        ("BUSL-1.1", UseRestricted),
        ("LicenseRef-Llama-3.1", UseRestricted),
        ("LicenseRef-EXAONE-1.1-NC", NonCommercial),
        ("LicenseRef-Qwen-Research", NonCommercial),
        ("LicenseRef-sovereign-proprietary", Proprietary),
    ] {
        assert_eq!(category(id), Some(want), "{id}");
    }
    assert_eq!(category("LicenseRef-made-up"), None);
    assert_eq!(category("NotALicence"), None);
}

#[test]
fn a_user_categories_file_overrides_single_entries_and_rejects_duplicates() {
    let mut t = Categories::builtin();
    t.merge_yaml("version: 1\ncategories:\n  proprietary: [MIT]\n", "user.yaml", true).unwrap();
    assert_eq!(t.get("MIT"), Some(LicenseCategory::Proprietary));
    assert_eq!(t.get("Apache-2.0"), Some(LicenseCategory::Permissive));
    let err = t
        .merge_yaml("version: 1\ncategories:\n  permissive: [X]\n  proprietary: [x]\n", "user.yaml", true)
        .unwrap_err();
    assert!(err.to_string().contains("user.yaml"), "{err}");
    assert!(t.merge_yaml("version: 2\ncategories: {}\n", "u.yaml", true).is_err());
    assert!(t.merge_yaml("version: 1\ncategories:\n  nice: [MIT]\n", "u.yaml", true).is_err());
}
