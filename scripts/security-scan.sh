#!/usr/bin/env bash
# Security scan: @doyensec/electronegativity over the source (main/, preload/, package.json, renderer/index.html for
# the CSP meta tag), never the bundle. Installed in a cache folder of its own (it pulls an old eslint/TypeScript that
# must not mix with the project's node_modules). Fails on any finding not in scripts/electronegativity-allow.txt,
# and when the Electron pin is not an exact version at least MIN_ELECTRON.
#
#   npm run security:scan
#   EGN_CACHE=/tmp/egn npm run security:scan       # reuse an install
#
# Offline: electronegativity tries to fetch Electron's release list and translations; without a network it says so
# ("No connectivity?") and goes on.
#
# Deterministic: the findings are read from electronegativity's SARIF (JSON) report, which it writes in ONE
# fs.writeFile. Its CSV report is written by two concurrent async writes (the header with flag 'w', the rows with
# 'a'), so under load the header could land after the rows and truncate or interleave them: allowed findings then
# looked unexplained. Findings are also sorted before they are printed and matched.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSION=1.10.3
MIN_ELECTRON="${MIN_ELECTRON:-45.5.0}"
CACHE="${EGN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/glance-desktop/electronegativity-$VERSION}"
ALLOW="$ROOT/scripts/electronegativity-allow.txt"
BIN="$CACHE/node_modules/.bin/electronegativity"

if [[ ! -x "$BIN" ]]; then
  echo "security-scan: installing @doyensec/electronegativity@$VERSION into $CACHE" >&2
  mkdir -p "$CACHE"
  npm install --prefix "$CACHE" --no-audit --no-fund --loglevel=error "@doyensec/electronegativity@$VERSION" >&2
fi

STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE/renderer"
cp -R "$ROOT/main" "$ROOT/preload" "$ROOT/package.json" "$STAGE/"
cp "$ROOT/renderer/index.html" "$STAGE/renderer/"

(cd "$STAGE" && "$BIN" -i . -r -o "$STAGE/findings.sarif" >"$STAGE/log.txt" 2>&1) || {
  cat "$STAGE/log.txt" >&2
  echo "security-scan: electronegativity failed to run" >&2
  exit 2
}

node - "$STAGE/findings.sarif" "$ALLOW" "$ROOT/package.json" "$MIN_ELECTRON" <<'NODE'
const fs = require('node:fs')
const [sarifPath, allowPath, pkgPath, minElectron] = process.argv.slice(2)

// SARIF 2.1.0: runs[0].results[] = { ruleId, level, message, locations[0].physicalLocation.{artifactLocation.uri, region} }
let sarif
try {
  sarif = JSON.parse(fs.readFileSync(sarifPath, 'utf8'))
} catch (e) {
  console.log(`FINDING   the electronegativity report is missing or not JSON: ${e.message}`)
  process.exit(2)
}
const results = (sarif.runs ?? []).flatMap((r) => r.results ?? [])
const findings = results
  .map((r) => {
    const loc = r.locations?.[0]?.physicalLocation ?? {}
    const file = String(loc.artifactLocation?.uri ?? 'N/A').replace(/^file:\/\/\/?$/, 'N/A')
    const region = loc.region ?? {}
    return { issue: r.ruleId, severity: r.level, file, line: region.startLine ?? 0, column: region.startColumn ?? 0, location: `${region.startLine ?? 0}:${region.startColumn ?? 0}` }
  })
  .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.issue.localeCompare(b.issue))
const allow = fs.readFileSync(allowPath, 'utf8').split('\n')
  .map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
  .map((l) => { const [issue, file] = l.split(/\s+/); return { issue, file, used: 0, line: l } })

let bad = 0
let unexplained = 0
for (const f of findings) {
  const a = allow.find((x) => x.issue === f.issue && x.file === f.file)
  if (a) { a.used++; console.log(`allowed   ${f.issue} ${f.file}:${f.location} (${f.severity})`) }
  else { bad++; unexplained++; console.log(`FINDING   ${f.issue} ${f.file}:${f.location} (${f.severity})`) }
}
for (const a of allow) if (!a.used) console.log(`stale     allow-list entry matched nothing: ${a.issue} ${a.file}`)

// Electron: an exact pin, not older than the release this app was checked against.
const pkg = JSON.parse(fs.readFileSync(pkgPath, 'utf8'))
const pin = (pkg.devDependencies ?? {}).electron ?? (pkg.dependencies ?? {}).electron
const cmp = (a, b) => { const x = a.split('.').map(Number), y = b.split('.').map(Number); for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i]; return 0 }
if (!pin || !/^\d+\.\d+\.\d+$/.test(pin)) { bad++; console.log(`FINDING   electron is not pinned to an exact version: ${pin}`) }
else if (cmp(pin, minElectron) < 0) { bad++; console.log(`FINDING   electron ${pin} is older than ${minElectron}`) }
else console.log(`ok        electron ${pin} (>= ${minElectron})`)

console.log(`security-scan: ${findings.length} finding(s), ${findings.length - unexplained} explained, ${unexplained} not explained`)
process.exit(bad ? 1 : 0)
NODE
