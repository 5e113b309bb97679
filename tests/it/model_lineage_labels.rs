//! The labelled model-lineage set (issue 13, "Must show"): hand labels of the origin facets of the models
//! that 14 public repositories serve, fine-tune or re-package (`tests/data/model-lineage/labels.yaml`), and
//! the harness that scans each checkout and reports, per facet, precision (a wrong country is an error)
//! and coverage (labelled components that got a country), with every miss.
//!
//! The measurement is `#[ignore]`: it needs the checkouts (docs/origin.md, "Labelled model-lineage set"):
//!
//! ```text
//! SOVEREIGN_LINEAGE_REPOS=/work/repos cargo test --test it model_lineage -- --ignored --nocapture
//! ```
//!
//! Optional: `SOVEREIGN_LINEAGE_BIN` (another sovereign binary, e.g. main's, to measure it),
//! `SOVEREIGN_LINEAGE_REPORT` (write the report there as Markdown), `SOVEREIGN_LINEAGE_MIN_PRECISION`
//! (fail when a facet's precision is below it), `SOVEREIGN_LINEAGE_ANY_COMMIT=1` (accept checkouts at
//! another commit than the labelled one).
//!
//! The figures use the CycloneDX properties `sovereign:origin:<facet>:country` (facets maintainer, code,
//! weights, architecture; sorted comma-separated ISO codes) when the SBOM has them; without them (SBOMs
//! written before origin facets existed) every facet falls back to the facet-less
//! `sovereign:origin:countries` / `sovereign:origin:country`, and the report says so. The `any` row
//! compares the facet-less country set with the union of a component's labelled facets.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

const LABELS: &str = "tests/data/model-lineage/labels.yaml";
const FACETS: [&str; 4] = ["maintainer", "code", "weights", "architecture"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Labels {
    version: u32,
    repositories: Vec<Repo>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Repo {
    repo: String,
    commit: String,
    checkout: String,
    components: Vec<Label>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Label {
    #[serde(rename = "match")]
    matcher: OneOrMany,
    #[serde(default)]
    maintainer: Option<Expected>,
    #[serde(default)]
    code: Option<Expected>,
    #[serde(default)]
    weights: Option<Expected>,
    #[serde(default)]
    architecture: Option<Expected>,
    why: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(Matcher),
    Many(Vec<Matcher>),
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Matcher {
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    purl: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    found_in: Option<String>,
}

/// A facet label: the countries, or `unknown` (the repository does not say).
#[derive(Debug, Clone, PartialEq)]
enum Expected {
    Unknown,
    Countries(BTreeSet<String>),
}

impl<'de> Deserialize<'de> for Expected {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Word(String),
            List(Vec<String>),
        }
        match Raw::deserialize(d)? {
            Raw::Word(w) if w == "unknown" => Ok(Expected::Unknown),
            Raw::Word(w) => {
                Err(serde::de::Error::custom(format!("expected a list of ISO codes or `unknown`, not `{w}`")))
            }
            Raw::List(l) if l.is_empty() => Err(serde::de::Error::custom("an empty list: write `unknown`")),
            Raw::List(l) => Ok(Expected::Countries(l.into_iter().collect())),
        }
    }
}

impl Label {
    fn matchers(&self) -> Vec<&Matcher> {
        match &self.matcher {
            OneOrMany::One(m) => vec![m],
            OneOrMany::Many(v) => v.iter().collect(),
        }
    }

    fn facet(&self, facet: &str) -> Option<&Expected> {
        match facet {
            "maintainer" => self.maintainer.as_ref(),
            "code" => self.code.as_ref(),
            "weights" => self.weights.as_ref(),
            "architecture" => self.architecture.as_ref(),
            _ => None,
        }
    }

    /// The union of the labelled facets (for the facet-less `any` row); None when none is known.
    fn any(&self) -> Option<Expected> {
        let mut all = BTreeSet::new();
        for f in FACETS {
            if let Some(Expected::Countries(c)) = self.facet(f) {
                all.extend(c.iter().cloned());
            }
        }
        if all.is_empty() {
            FACETS.iter().any(|f| self.facet(f).is_some()).then_some(Expected::Unknown)
        } else {
            Some(Expected::Countries(all))
        }
    }

    fn describe(&self) -> String {
        let m = self.matchers()[0];
        let (k, v) = [
            ("model", &m.model),
            ("purl", &m.purl),
            ("name", &m.name),
            ("path", &m.path),
            ("found_in", &m.found_in),
        ]
        .into_iter()
        .find_map(|(k, v)| v.as_ref().map(|v| (k, v.clone())))
        .unwrap_or(("?", String::new()));
        format!("{k} {v}")
    }
}

// ----------------------------------------------------------------------------------------- SBOM side

fn props(c: &Value) -> Vec<(&str, &str)> {
    c["properties"]
        .as_array()
        .map(|a| a.iter().filter_map(|p| Some((p["name"].as_str()?, p["value"].as_str()?))).collect())
        .unwrap_or_default()
}

fn prop<'a>(c: &'a Value, name: &str) -> Option<&'a str> {
    props(c).into_iter().find(|(n, _)| *n == name).map(|(_, v)| v)
}

/// `pkg:type/ns/name@v?q#s` without version, qualifiers and subpath, lower-cased.
fn purl_base(purl: &str) -> String {
    let p = purl.split(['?', '#']).next().unwrap_or(purl);
    let p = match p.rfind('@') {
        Some(i) if i > p.rfind('/').unwrap_or(0) => &p[..i],
        _ => p,
    };
    p.to_lowercase()
}

/// The hub model id `ns/name` of a component, whatever hub or purl type carries it.
fn model_id(c: &Value) -> Option<String> {
    let purl = c["purl"].as_str()?;
    let base = purl_base(purl);
    let rest = base.strip_prefix("pkg:")?;
    let (kind, path) = rest.split_once('/')?;
    match kind {
        "huggingface" => Some(path.to_string()),
        "generic" if purl.contains("download_url=") => Some(path.to_string()),
        _ => None,
    }
}

fn matches(m: &Matcher, c: &Value) -> bool {
    let lower = |s: &str| s.to_lowercase();
    if let Some(model) = &m.model {
        if model_id(c).as_deref() == Some(lower(model).as_str()) {
            return true;
        }
    }
    if let Some(p) = &m.purl {
        if c["purl"].as_str().map(purl_base).as_deref() == Some(lower(p).as_str()) {
            return true;
        }
    }
    if let Some(n) = &m.name {
        if c["name"].as_str().map(lower).as_deref() == Some(lower(n).as_str()) {
            return true;
        }
    }
    if let Some(p) = &m.path {
        if prop(c, "sovereign:path") == Some(p.trim_end_matches('/')) {
            return true;
        }
    }
    if let Some(f) = &m.found_in {
        let found =
            props(c).into_iter().filter(|(n, _)| *n == "sovereign:found-in").map(|(_, v)| v.to_string());
        let occ = c["evidence"]["occurrences"].as_array().into_iter().flatten().filter_map(|o| {
            let loc = o["location"].as_str()?;
            Some(match o["line"].as_u64() {
                Some(l) => format!("{loc}:{l}"),
                None => loc.to_string(),
            })
        });
        if found.chain(occ).any(|v| v.starts_with(f.as_str())) {
            return true;
        }
    }
    false
}

/// Every component of a CycloneDX document, nested ones included.
fn components(doc: &Value) -> Vec<&Value> {
    fn walk<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
        for c in v["components"].as_array().into_iter().flatten() {
            out.push(c);
            walk(c, out);
        }
    }
    let mut out = Vec::new();
    walk(doc, &mut out);
    out
}

fn split_countries(v: &str) -> BTreeSet<String> {
    v.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty() && !s.eq_ignore_ascii_case("unknown"))
        .map(str::to_uppercase)
        .collect()
}

/// The facet-less country set of a component: `sovereign:origin:countries`, else `sovereign:origin:country`.
fn facetless(c: &Value) -> BTreeSet<String> {
    prop(c, "sovereign:origin:countries")
        .or_else(|| prop(c, "sovereign:origin:country"))
        .map(split_countries)
        .unwrap_or_default()
}

/// What the SBOM says of one facet of the matched components, and whether it came from a facet property.
fn reported(found: &[&Value], facet: &str) -> (BTreeSet<String>, bool) {
    let key = format!("sovereign:origin:{facet}:country");
    let has_facets = found.iter().any(|c| {
        props(c).iter().any(|(n, _)| {
            n.starts_with("sovereign:origin:") && n.ends_with(":country") && n.matches(':').count() == 3
        })
    });
    if has_facets {
        let set = found.iter().filter_map(|c| prop(c, &key)).flat_map(split_countries).collect();
        (set, true)
    } else {
        (found.iter().flat_map(|c| facetless(c)).collect(), false)
    }
}

// ----------------------------------------------------------------------------------------- scoring

#[derive(Debug, Default, Clone)]
struct Score {
    /// Labelled with countries (not `unknown`).
    labelled: usize,
    /// ... whose component was found and got at least one country.
    covered: usize,
    /// Reported countries all within the label.
    correct: usize,
    /// A reported country that the label does not have (the worst bug).
    wrong: usize,
    /// Reported set equal to the label.
    exact: usize,
    /// Labelled `unknown` but a country was reported (cannot be checked; not in precision).
    unverified: usize,
    /// Figures from the facet property (true) or from the facet-less fallback.
    from_facet_property: usize,
    misses: Vec<String>,
}

impl Score {
    fn precision(&self) -> Option<f64> {
        let n = self.correct + self.wrong;
        (n > 0).then(|| self.correct as f64 / n as f64)
    }
    fn coverage(&self) -> Option<f64> {
        (self.labelled > 0).then(|| self.covered as f64 / self.labelled as f64)
    }
}

/// Scores the labels of one repository against its CycloneDX document, into `scores` (keyed by facet,
/// plus `any`).
fn score_repo(repo: &str, labels: &[Label], doc: &Value, scores: &mut BTreeMap<String, Score>) {
    let all = components(doc);
    for label in labels {
        let found: Vec<&Value> =
            all.iter().copied().filter(|c| label.matchers().iter().any(|m| matches(m, c))).collect();
        let what = format!("{repo}: {}", label.describe());
        let mut rows: Vec<(String, Expected, BTreeSet<String>, bool)> = Vec::new();
        for f in FACETS {
            if let Some(e) = label.facet(f) {
                let (set, prop) = reported(&found, f);
                rows.push((f.to_string(), e.clone(), set, prop));
            }
        }
        if let Some(e) = label.any() {
            rows.push(("any".into(), e, found.iter().flat_map(|c| facetless(c)).collect(), false));
        }
        for (facet, expected, got, from_prop) in rows {
            let s = scores.entry(facet.clone()).or_default();
            if from_prop {
                s.from_facet_property += 1;
            }
            let got_txt = if got.is_empty() {
                "unknown".to_string()
            } else {
                got.iter().cloned().collect::<Vec<_>>().join(",")
            };
            match expected {
                Expected::Unknown => {
                    if !got.is_empty() {
                        s.unverified += 1;
                        s.misses.push(format!(
                            "unverified  {facet:<12} {what}: label unknown, reported {got_txt}"
                        ));
                    }
                }
                Expected::Countries(want) => {
                    s.labelled += 1;
                    let want_txt = want.iter().cloned().collect::<Vec<_>>().join(",");
                    if found.is_empty() {
                        s.misses.push(format!("not found   {facet:<12} {what}: expected {want_txt}, no such component in the SBOM"));
                        continue;
                    }
                    if got.is_empty() {
                        s.misses.push(format!("no country  {facet:<12} {what}: expected {want_txt}"));
                        continue;
                    }
                    s.covered += 1;
                    if got.is_subset(&want) {
                        s.correct += 1;
                        if got == want {
                            s.exact += 1;
                        } else {
                            s.misses.push(format!(
                                "partial     {facet:<12} {what}: expected {want_txt}, reported {got_txt}"
                            ));
                        }
                    } else {
                        s.wrong += 1;
                        s.misses.push(format!(
                            "WRONG       {facet:<12} {what}: expected {want_txt}, reported {got_txt}"
                        ));
                    }
                }
            }
        }
    }
}

fn report(scores: &BTreeMap<String, Score>, header: &str) -> String {
    let pct = |v: Option<f64>| v.map(|v| format!("{:.3}", v)).unwrap_or_else(|| "-".into());
    let mut out = String::new();
    let _ = writeln!(out, "{header}\n");
    let _ = writeln!(out, "| facet | labelled | covered | correct | wrong | exact | unverified | precision | coverage | source |");
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|---|");
    let order = FACETS.iter().map(|s| s.to_string()).chain(["any".to_string()]);
    for f in order {
        let Some(s) = scores.get(&f) else { continue };
        let source = if f == "any" {
            "sovereign:origin:countries / :country".to_string()
        } else if s.from_facet_property > 0 {
            format!("sovereign:origin:{f}:country")
        } else {
            "fallback: facet-less country".to_string()
        };
        let _ = writeln!(
            out,
            "| {f} | {} | {} | {} | {} | {} | {} | {} | {} | {source} |",
            s.labelled,
            s.covered,
            s.correct,
            s.wrong,
            s.exact,
            s.unverified,
            pct(s.precision()),
            pct(s.coverage())
        );
    }
    let _ = writeln!(out, "\nMisses (not found / no country / partial / WRONG / unverified):\n\n```text");
    let mut seen = BTreeSet::new();
    for f in FACETS.iter().map(|s| s.to_string()).chain(["any".to_string()]) {
        for m in scores.get(&f).map(|s| s.misses.as_slice()).unwrap_or_default() {
            if seen.insert(m.clone()) {
                let _ = writeln!(out, "{m}");
            }
        }
    }
    let _ = writeln!(out, "```");
    out
}

// ----------------------------------------------------------------------------------------- tests

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn load_labels() -> Labels {
    let text = std::fs::read_to_string(manifest().join(LABELS)).expect("labels file");
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{LABELS}: {e}"))
}

fn iso_codes() -> BTreeSet<String> {
    let text = std::fs::read_to_string(manifest().join("rules/origins/countries.tsv")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split('\t').next())
        .map(str::to_string)
        .collect()
}

/// The labelled set itself is well formed: at least 12 repositories from at least 6 countries, each at a
/// full commit hash, each label with a known ISO code, a matcher and a file:line justification.
#[test]
fn model_lineage_labels_are_well_formed() {
    let labels = load_labels();
    assert_eq!(labels.version, 1);
    assert!(labels.repositories.len() >= 12, "{} repositories", labels.repositories.len());
    let iso = iso_codes();
    let mut countries = BTreeSet::new();
    let mut checkouts = BTreeSet::new();
    for r in &labels.repositories {
        assert!(
            r.commit.len() == 40 && r.commit.chars().all(|c| c.is_ascii_hexdigit()),
            "{}: commit {}",
            r.repo,
            r.commit
        );
        assert!(r.repo.split('/').count() == 2, "{}: owner/name", r.repo);
        assert!(checkouts.insert(r.checkout.clone()), "{}: checkout {} twice", r.repo, r.checkout);
        assert!(!r.components.is_empty(), "{}: no components", r.repo);
        for l in &r.components {
            let ms = l.matchers();
            assert!(!ms.is_empty(), "{}: empty match", r.repo);
            for m in ms {
                let n =
                    [&m.model, &m.purl, &m.name, &m.path, &m.found_in].iter().filter(|v| v.is_some()).count();
                assert_eq!(
                    n, 1,
                    "{}: each matcher names exactly one of model/purl/name/path/found_in: {m:?}",
                    r.repo
                );
            }
            assert!(
                FACETS.iter().any(|f| l.facet(f).is_some()),
                "{}: {} labels no facet",
                r.repo,
                l.describe()
            );
            for f in FACETS {
                if let Some(Expected::Countries(cs)) = l.facet(f) {
                    for c in cs {
                        assert!(
                            iso.contains(c),
                            "{}: {} {f}: `{c}` is not an ISO 3166-1 alpha-2 code",
                            r.repo,
                            l.describe()
                        );
                        countries.insert(c.clone());
                    }
                }
            }
            let has_file_line = cited_line(&l.why).is_some();
            assert!(
                has_file_line,
                "{}: {}: `why` must cite the file (file:line) in the repository",
                r.repo,
                l.describe()
            );
        }
    }
    assert!(countries.len() >= 6, "countries in the set: {countries:?}");
}

fn comp(purl: &str, name: &str, props: &[(&str, &str)]) -> Value {
    serde_json::json!({
        "type": "machine-learning-model", "purl": purl, "name": name,
        "properties": props.iter().map(|(n, v)| serde_json::json!({"name": n, "value": v})).collect::<Vec<_>>(),
    })
}

fn label(yaml: &str) -> Label {
    serde_yaml::from_str(yaml).unwrap()
}

/// The scorer: facet properties win over the fallback, a country outside the label is WRONG, `unknown`
/// labels stay out of precision, ModelScope and Hugging Face ids match the same label, and a missing
/// component is a coverage miss.
#[test]
fn model_lineage_scoring_counts_wrong_countries_and_prefers_facet_properties() {
    let labels = vec![
        label("{match: {model: qwen/qwen2.5-vl-7b}, weights: [CN], architecture: [CN], maintainer: [CN], why: 'a.py:1'}"),
        label("{match: {model: acme/enc-from-siglip}, weights: [US], architecture: [US], why: 'b.py:2'}"),
        label("{match: {model: someone/tune}, weights: unknown, why: 'c.py:3'}"),
        label("{match: {name: absent}, weights: [FR], why: 'd.py:4'}"),
    ];
    let doc = serde_json::json!({"components": [
        comp("pkg:generic/Qwen/Qwen2.5-VL-7B?download_url=https://modelscope.cn/models/Qwen/Qwen2.5-VL-7B", "Qwen2.5-VL-7B", &[
            ("sovereign:origin:country", "CN"),
            ("sovereign:origin:weights:country", "CN"),
            ("sovereign:origin:architecture:country", "CN"),
            ("sovereign:origin:maintainer:country", "US"),
        ]),
        comp("pkg:huggingface/acme/enc-from-siglip@abc", "enc-from-siglip", &[("sovereign:origin:country", "CN")]),
        comp("pkg:huggingface/someone/tune", "tune", &[("sovereign:origin:country", "DE")]),
    ]});
    let mut scores = BTreeMap::new();
    score_repo("t", &labels, &doc, &mut scores);
    let w = &scores["weights"];
    // Qwen: facet property CN = correct; acme: fallback CN, label US = wrong; absent: not found.
    assert_eq!((w.labelled, w.covered, w.correct, w.wrong, w.unverified), (3, 2, 1, 1, 1), "{w:?}");
    assert_eq!(w.precision(), Some(0.5));
    let m = &scores["maintainer"];
    assert_eq!(
        (m.correct, m.wrong, m.from_facet_property),
        (0, 1, 1),
        "the facet property wins over the facet-less CN: {m:?}"
    );
    assert!(
        w.misses.iter().any(|l| l.starts_with("WRONG") && l.contains("acme/enc-from-siglip")),
        "{:?}",
        w.misses
    );
    assert!(w.misses.iter().any(|l| l.starts_with("not found") && l.contains("absent")), "{:?}", w.misses);
    let any = &scores["any"];
    assert_eq!((any.correct, any.wrong), (1, 1), "{any:?}");
    let text = report(&scores, "# t");
    assert!(text.contains("| weights | 3 | 2 | 1 | 1 | 1 | 1 | 0.500 | 0.667 |"), "{text}");
}

/// The first `file.ext:line` a justification cites.
fn cited_line(why: &str) -> Option<(&str, usize)> {
    why.split_whitespace().find_map(|w| {
        let (f, n) = w.split_once(':')?;
        let digits: String = n.chars().take_while(char::is_ascii_digit).collect();
        (f.contains('.') && !digits.is_empty()).then(|| (f, digits.parse().unwrap()))
    })
}

fn checkout_head(dir: &Path) -> Option<String> {
    // Read HEAD without running git: .git/HEAD -> ref -> packed-refs or loose ref.
    let git = dir.join(".git");
    let head = std::fs::read_to_string(git.join("HEAD")).ok()?;
    let head = head.trim();
    let Some(r) = head.strip_prefix("ref: ") else { return Some(head.to_string()) };
    if let Ok(h) = std::fs::read_to_string(git.join(r)) {
        return Some(h.trim().to_string());
    }
    let packed = std::fs::read_to_string(git.join("packed-refs")).ok()?;
    packed.lines().find(|l| l.ends_with(r)).and_then(|l| l.split_whitespace().next()).map(str::to_string)
}

/// The measurement: scans every labelled checkout under `$SOVEREIGN_LINEAGE_REPOS` and prints the figures.
#[test]
#[ignore = "measurement: needs SOVEREIGN_LINEAGE_REPOS with the labelled checkouts (docs/origin.md)"]
fn model_lineage_precision_and_coverage() {
    let root = PathBuf::from(
        std::env::var("SOVEREIGN_LINEAGE_REPOS")
            .expect("set SOVEREIGN_LINEAGE_REPOS to the directory of the checkouts"),
    );
    let bin = std::env::var("SOVEREIGN_LINEAGE_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_sovereign").to_string());
    let any_commit = std::env::var("SOVEREIGN_LINEAGE_ANY_COMMIT").is_ok_and(|v| v == "1");
    let labels = load_labels();
    let tmp = tempfile::tempdir().unwrap();
    let mut problems = Vec::new();
    let mut scores: BTreeMap<String, Score> = BTreeMap::new();
    let mut n_components = 0;
    for r in &labels.repositories {
        let dir = root.join(&r.checkout);
        if !dir.is_dir() {
            problems.push(format!("{}: no checkout at {}", r.repo, dir.display()));
            continue;
        }
        match checkout_head(&dir) {
            Some(h) if h == r.commit => {}
            other if !any_commit => {
                problems.push(format!("{}: checkout at {other:?}, labels are for {}", r.repo, r.commit));
                continue;
            }
            _ => {}
        }
        // Every justification cites a file:line that exists in the checkout.
        for l in &r.components {
            if let Some((file, line)) = cited_line(&l.why) {
                let text = std::fs::read_to_string(dir.join(file)).unwrap_or_default();
                if text.lines().count() < line {
                    problems.push(format!(
                        "{}: {}: `why` cites {file}:{line}, not in the checkout",
                        r.repo,
                        l.describe()
                    ));
                }
            }
        }
        let out = tmp.path().join(format!("{}.cdx.json", r.checkout));
        let res = std::process::Command::new(&bin)
            .args(["scan", &dir.display().to_string(), "-o", &out.display().to_string()])
            .env("SOVEREIGN_CACHE", tmp.path().join("cache"))
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .env_remove("SOVEREIGN_GIT_TOKEN")
            .output()
            .expect("run sovereign");
        if !res.status.success() {
            problems.push(format!("{}: scan failed: {}", r.repo, String::from_utf8_lossy(&res.stderr)));
            continue;
        }
        let doc: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).expect("CycloneDX JSON");
        n_components += r.components.len();
        score_repo(&r.repo, &r.components, &doc, &mut scores);
    }
    assert!(problems.is_empty(), "labelled checkouts missing or at another commit:\n{}", problems.join("\n"));
    let header = format!(
        "# Model-lineage labels: {} repositories, {} labelled components (binary {})",
        labels.repositories.len(),
        n_components,
        Path::new(&bin).display()
    );
    let text = report(&scores, &header);
    println!("{text}");
    if let Ok(p) = std::env::var("SOVEREIGN_LINEAGE_REPORT") {
        std::fs::write(&p, &text).expect("write the report");
    }
    if let Some(min) =
        std::env::var("SOVEREIGN_LINEAGE_MIN_PRECISION").ok().and_then(|v| v.parse::<f64>().ok())
    {
        for (f, s) in &scores {
            if let Some(p) = s.precision() {
                assert!(p >= min, "{f}: precision {p:.3} below {min}");
            }
        }
    }
}
