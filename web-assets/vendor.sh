#!/usr/bin/env bash
# Vendor the browser libraries the pages use, from the npm registry, into package data:
#   src/filmgraph/web/static/vendor/yasgui/     yasgui.min.js, yasgui.min.css, LICENSE
#   src/filmgraph/web/static/vendor/cytoscape/  cytoscape.min.js, LICENSE
# and, for the browser tests only (a devDependency, never served, not package data):
#   tests/vendor/axe-core/                      axe.min.js, LICENSE, LICENSE-3RD-PARTY.txt
# The versions are pinned exactly in package.json and locked (with their integrity hashes) in
# package-lock.json; `npm ci` installs exactly those, without running any install script.
# Only the built files are copied (byte for byte); node_modules/ stays here, git-ignored.
# Run it after changing a version, then update ../src/filmgraph/web/static/vendor/README.md
# (and ../tests/vendor/README.md for axe-core).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
static="$here/../src/filmgraph/web/static/vendor"
tests="$here/../tests/vendor"
cd "$here"
npm ci --ignore-scripts --no-audit --no-fund

yasgui=node_modules/@zazuko/yasgui
mkdir -p "$static/yasgui" "$static/cytoscape"
cp "$yasgui/build/yasgui.min.js" "$yasgui/build/yasgui.min.css" "$static/yasgui/"
# The @zazuko/yasgui package ships no LICENSE file (its package.json says MIT); the bundle
# also holds its dependencies, so the notice is written from package.json and their licenses.
node notices.mjs @zazuko/yasgui > "$static/yasgui/LICENSE"

cp node_modules/cytoscape/dist/cytoscape.min.js "$static/cytoscape/"
cp node_modules/cytoscape/LICENSE "$static/cytoscape/LICENSE"

# axe-core: the accessibility checker tests/test_browser_a11y.py injects into each page.
mkdir -p "$tests/axe-core"
cp node_modules/axe-core/axe.min.js node_modules/axe-core/LICENSE \
  node_modules/axe-core/LICENSE-3RD-PARTY.txt "$tests/axe-core/"

cd "$static"
sha256sum yasgui/yasgui.min.js yasgui/yasgui.min.css cytoscape/cytoscape.min.js
cd "$tests"
sha256sum axe-core/axe.min.js
