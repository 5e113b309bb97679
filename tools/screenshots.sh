#!/usr/bin/env bash
# Re-makes the screenshots in docs/ (docs/report.md): the bundled example's HTML report and an audit
# dashboard over three local git repositories made here. Needs chromium (`apt-get install chromium`).
# Usage: tools/screenshots.sh   (from anywhere; writes docs/report-example.png and docs/audit-dashboard.png)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
browser=${SOVEREIGN_CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
[ -n "$browser" ] || { echo "error: chromium is needed (apt-get install chromium)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH=1767225600 SOVEREIGN_CACHE="$work/cache"
export GIT_AUTHOR_DATE=2026-01-01T00:00:00Z GIT_COMMITTER_DATE=2026-01-01T00:00:00Z
cargo build --locked --quiet
bin=$root/target/debug/sovereign

shot() { # shot PAGE[#FRAGMENT] PNG HEIGHT
  "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
    --user-data-dir="$work/profile" --window-size=1280,"$3" --virtual-time-budget=3000 \
    --screenshot="$2" "file://$1" >/dev/null 2>&1
  echo "wrote $2"
}

# 1. The bundled example (exit 1: it fails the contest policy).
"$bin" report examples/contest-entry --policy rules/policies/sovereign-ai-contest.yaml --today 2026-01-01 \
  -q -o "$work/report.html" || [ $? -eq 1 ]
# Errors only (#fsev=error, the filter the page reads from its URL), so the charts fit in the picture too.
shot "$work/report.html#fsev=error" docs/report-example.png 3000

# 2. An audit of three small submissions, made as git repositories here.
mkrepo() { # mkrepo DIR FILE CONTENT [FILE CONTENT]...
  local d=$1; shift
  mkdir -p "$d"
  while [ $# -gt 0 ]; do mkdir -p "$(dirname "$d/$1")"; printf '%s\n' "$2" >"$d/$1"; shift 2; done
  git -C "$d" init -q && git -C "$d" add -A &&
    git -C "$d" -c user.name=demo -c user.email=demo@example.org commit -qm initial
}
mkrepo "$work/hanbit" app.toml 'vision_encoder = "Qwen/Qwen2.5-VL-7B-Instruct"' requirements.txt 'requests==2.31.0'
mkrepo "$work/seoul" requirements.txt 'numpy==2.1.0'
mkrepo "$work/busan" README.md '# A submission without manifests'
cat >"$work/submissions.yaml" <<YAML
submissions:
  - {name: hanbit-ai, url: "file://$work/hanbit"}
  - {name: seoul-nlp, url: "file://$work/seoul"}
  - {name: busan-vision, url: "file://$work/busan"}
  - {name: gone-team, url: "http://127.0.0.1:9/gone.git"}
YAML
"$bin" audit "$work/submissions.yaml" --policy rules/policies/sovereign-ai-contest.yaml --today 2026-01-01 \
  --out "$work/audit" -q || true
shot "$work/audit/index.html" docs/audit-dashboard.png 1100
