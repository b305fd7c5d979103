#!/usr/bin/env bash
# ctest fixture setup (bridge/install-eventsource): installs the pinned `eventsource` npm
# package (a browser-style EventSource for Node) into the build tree with `npm ci`, from the
# package.json + package-lock.json next to this script. Idempotent: a second run that finds the
# same lockfile already installed returns at once.
#
# usage: install-eventsource.sh <source dir holding package.json/package-lock.json> <install dir>
set -euo pipefail

src=$1
dir=$2

fail() {
    echo "install-eventsource: $*" >&2
    exit 1
}

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    fail "node and npm (Node.js >= 18) are needed for the browser-bridge test; install Node.js," \
        "or leave out this test with: ctest -E bridge"
fi

if [ -f "$dir/node_modules/eventsource/package.json" ] && cmp -s "$src/package-lock.json" "$dir/package-lock.json"; then
    echo "install-eventsource: already installed in $dir"
    exit 0
fi

mkdir -p "$dir"
cp "$src/package.json" "$src/package-lock.json" "$dir/"
echo "install-eventsource: npm ci into $dir"
if ! npm ci --no-audit --no-fund --prefix "$dir"; then
    fail "npm ci failed (see above). Is the npm registry reachable (npm config get registry:" \
        "$(npm config get registry 2>/dev/null))? Offline, install once with network access or" \
        "leave out this test with: ctest -E bridge"
fi
[ -f "$dir/node_modules/eventsource/package.json" ] || fail "eventsource missing after npm ci"
echo "install-eventsource: installed eventsource $(node -p "require('$dir/node_modules/eventsource/package.json').version")"
