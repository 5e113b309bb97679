//! Licences: categories, normalisation of declared licences, text detection, concluded licences,
//! CycloneDX output.

mod detection;
mod registry;
mod stage;

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

mod normalisation {
    use sovereign::enrich::license::aliases::AliasHit;
    use sovereign::enrich::license::{normalise, Aliases, Normalised};

    fn norm(s: &str) -> Normalised {
        normalise(s, Aliases::builtin())
    }

    fn expr(s: &str) -> String {
        match norm(s) {
            Normalised::Mapped { expression, .. } => expression,
            other => panic!("`{s}` was not mapped: {other:?}"),
        }
    }

    #[test]
    fn real_world_declared_strings() {
        for (raw, want) in [
            ("MIT", "MIT"),
            ("MIT/Apache-2.0", "MIT OR Apache-2.0"),
            ("MIT / Apache-2.0", "MIT OR Apache-2.0"),
            ("Apache-2.0/MIT", "Apache-2.0 OR MIT"),
            ("MIT OR Apache-2.0", "MIT OR Apache-2.0"),
            ("mit or apache-2.0", "MIT OR Apache-2.0"),
            ("(MIT OR Apache-2.0) AND Unicode-3.0", "(MIT OR Apache-2.0) AND Unicode-3.0"),
            ("Apache-2.0 WITH LLVM-exception", "Apache-2.0 WITH LLVM-exception"),
            ("Apache 2.0", "Apache-2.0"),
            ("Apache License, Version 2.0", "Apache-2.0"),
            ("The Apache Software License, Version 2.0", "Apache-2.0"),
            ("Apache License 2.0 OR MIT", "Apache-2.0 OR MIT"),
            ("GPLv3+", "GPL-3.0-or-later"),
            ("GPL-2.0", "GPL-2.0-only"),
            ("GPL-2.0+", "GPL-2.0-or-later"),
            ("LGPL-2.1+", "LGPL-2.1-or-later"),
            ("GPL-2.0 or later", "GPL-2.0-or-later"),
            ("AGPL-3.0", "AGPL-3.0-only"),
            ("GPL-2.0-with-classpath-exception", "GPL-2.0-with-classpath-exception"),
            ("GPL-2.0-only WITH Classpath-exception-2.0", "GPL-2.0-only WITH Classpath-exception-2.0"),
            ("BSD-3-Clause", "BSD-3-Clause"),
            ("bsd-3-clause", "BSD-3-Clause"),
            ("Unlicense OR MIT", "Unlicense OR MIT"),
            ("UNLICENSED", "LicenseRef-sovereign-proprietary"),
            ("License :: OSI Approved :: MIT License", "MIT"),
            (
                "License :: OSI Approved :: GNU General Public License v3 or later (GPLv3+)",
                "GPL-3.0-or-later",
            ),
            ("http://www.apache.org/licenses/LICENSE-2.0.txt", "Apache-2.0"),
            ("https://opensource.org/licenses/MIT", "MIT"),
            ("http://www.eclipse.org/legal/epl-v20.html", "EPL-2.0"),
            ("LicenseRef-Custom-1", "LicenseRef-Custom-1"),
            ("llama3.1", "LicenseRef-Llama-3.1"),
            ("BSD-2-Clause-FreeBSD", "BSD-2-Clause-Views"),
            ("MPL-2.0", "MPL-2.0"),
        ] {
            assert_eq!(expr(raw), want, "{raw}");
        }
    }

    #[test]
    fn unchanged_values_are_not_flagged_as_changed() {
        assert_eq!(
            norm("MIT OR Apache-2.0"),
            Normalised::Mapped { expression: "MIT OR Apache-2.0".into(), changed: false }
        );
        assert!(matches!(norm("MIT/Apache-2.0"), Normalised::Mapped { changed: true, .. }));
    }

    #[test]
    fn lax_guesses_are_reported_and_not_used() {
        // spdx's lax mode reads `BSD` as BSD-2-Clause and `GPL` as GPL-2.0-only: guesses.
        assert!(matches!(norm("BSD"), Normalised::Ambiguous { .. }), "{:?}", norm("BSD"));
        assert!(matches!(norm("GPL"), Normalised::Ambiguous { .. }));
        assert!(matches!(norm("Apache"), Normalised::Ambiguous { .. }));
        assert!(matches!(norm("License :: OSI Approved :: BSD License"), Normalised::Ambiguous { .. }));
        assert!(matches!(norm("MIT OR BSD"), Normalised::Ambiguous { .. }));
        // Not in the alias table at all, but lax parsing would have produced a licence: reported as a guess.
        match norm("bsd3") {
            Normalised::Unmapped { lax_guess, .. } => assert!(lax_guess.is_some(), "no lax guess"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unknown_strings_stay_unmapped() {
        for raw in [
            "",
            "Foo Public License",
            "MIT,Apache",
            "MIT OR",
            "(MIT",
            "GPL-2.0-only+",
            "<script>",
            "MIT AND AND MIT",
        ] {
            assert!(matches!(norm(raw), Normalised::Unmapped { .. }), "{raw}: {:?}", norm(raw));
        }
        assert_eq!(norm("SEE LICENSE IN LICENSE.txt"), Normalised::SeeFile { file: "LICENSE.txt".into() });
        let huge = "MIT OR ".repeat(50_000) + "MIT";
        assert!(matches!(norm(&huge), Normalised::Mapped { .. }));
        let nested = "(".repeat(10_000) + "MIT" + &")".repeat(10_000);
        let _ = norm(&nested); // no panic, no stack overflow
    }

    #[test]
    fn every_alias_entry_maps_to_a_valid_expression() {
        let mut n = 0;
        for (key, hit) in Aliases::builtin().entries() {
            if let AliasHit::Maps(e) = hit {
                assert!(
                    sovereign::enrich::license::normalise::is_valid(e),
                    "alias `{key}` -> `{e}` is not valid SPDX"
                );
                n += 1;
            }
        }
        assert!(n > 250, "{n} aliases");
        for (key, exc) in Aliases::builtin().exception_entries() {
            assert!(
                spdx::exception_id(exc).is_some(),
                "exception alias `{key}` -> `{exc}` is not an SPDX exception"
            );
            let e = format!("GPL-2.0-only WITH {key}");
            assert!(matches!(normalise(&e, Aliases::builtin()), Normalised::Mapped { .. }), "{e}");
        }
    }
}
