#!/bin/sh
# Vendor the charting libraries and the API docs viewers (Swagger UI, ReDoc) into the package, so a fresh
# clone serves the pages and /docs, /redoc with no npm and no network (locked-down council networks).
# Run by `make vendor`; the versions are pinned in vendor/package.json and package-lock.json, and
# the copied files, their versions and licences are listed in src/evsearch/api/static/vendor/VERSIONS.md.
set -eu
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --ignore-scripts
out=../src/evsearch/api/static/vendor
mkdir -p "$out"
cp node_modules/vega/build/vega.min.js node_modules/vega-lite/build/vega-lite.min.js \
   node_modules/vega-embed/build/vega-embed.min.js "$out/"
cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css "$out/"
cp node_modules/swagger-ui-dist/favicon-32x32.png "$out/swagger-favicon.png"
cp node_modules/swagger-ui-dist/NOTICE "$out/NOTICE-swagger-ui-dist"
# ReDoc's sidebar always loads its maker's logo from cdn.redoc.ly; an empty src loads nothing (the img hides itself).
sed 's#"https://cdn.redoc.ly/redoc/logo-mini.svg"#""#' node_modules/redoc/bundles/redoc.standalone.js > "$out/redoc.standalone.js"
{
  echo "# Vendored charting libraries and API docs viewers"
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
  for entry in swagger-ui-dist:swagger-ui-bundle.js,swagger-ui.css,swagger-favicon.png redoc:redoc.standalone.js; do
    pkg=${entry%%:*}; files=$(echo "${entry#*:}" | sed 's/,/, /g')
    version=$(node -p "require('./node_modules/$pkg/package.json').version")
    licence=$(node -p "require('./node_modules/$pkg/package.json').license")
    echo "| $files | $pkg | $version | $licence (LICENSE-$pkg) |"
    cp "node_modules/$pkg/LICENSE" "$out/LICENSE-$pkg"
  done
  echo
  echo "redoc.standalone.js is the package's file with its one CDN address (the sidebar logo) emptied."
} > "$out/VERSIONS.md"
echo "vendored into $out:"; ls -l "$out"
