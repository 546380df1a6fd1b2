#!/bin/sh
# Vendor the charting libraries into the package, so a fresh clone serves the pages with no npm.
# Run by `make vendor`; the versions are pinned in vendor/package.json and package-lock.json, and
# the copied files, their versions and licences are listed in src/evsearch/api/static/vendor/VERSIONS.md.
set -eu
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --ignore-scripts
out=../src/evsearch/api/static/vendor
mkdir -p "$out"
cp node_modules/vega/build/vega.min.js node_modules/vega-lite/build/vega-lite.min.js \
   node_modules/vega-embed/build/vega-embed.min.js "$out/"
{
  echo "# Vendored charting libraries"
  echo
  echo "Copied by \`make vendor\` (vendor/build.sh) from the npm registry; do not edit by hand."
  echo
  echo "| file | package | version | licence |"
  echo "|---|---|---|---|"
  for pkg in vega vega-lite vega-embed; do
    version=$(node -p "require('./node_modules/$pkg/package.json').version")
    licence=$(node -p "require('./node_modules/$pkg/package.json').license")
    echo "| $pkg.min.js | $pkg | $version | $licence (LICENSE-$pkg) |"
    cp "node_modules/$pkg/LICENSE" "$out/LICENSE-$pkg"
  done
} > "$out/VERSIONS.md"
echo "vendored into $out:"; ls -l "$out"
