#!/usr/bin/env bash
# ctest fixture setup (conformance/install-suite): installs the pinned MCP conformance suite
# into the build tree with `npm ci`, from the package.json + package-lock.json next to this
# script, so the suite and its MCP SDK client are the same on every machine. Idempotent: a
# second run that finds the same lockfile and the expected version installed returns at once.
#
# usage: install-suite.sh <source dir holding package.json/package-lock.json> <install dir> <version>
set -euo pipefail

src=$1
dir=$2
version=$3
bin="$dir/node_modules/.bin/conformance"

fail() {
    echo "install-suite: $*" >&2
    exit 1
}

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    fail "node and npm (Node.js >= 20) are needed to run the MCP conformance suite; install" \
        "Node.js 20 or later, or leave out these tests with: ctest -LE conformance"
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
    fail "Node.js >= 20 is needed (found $(node --version)); @modelcontextprotocol/conformance" \
        "$version requires it"
fi

if [ -x "$bin" ] && cmp -s "$src/package-lock.json" "$dir/package-lock.json" \
    && [ "$("$bin" --version 2>/dev/null)" = "$version" ]; then
    echo "install-suite: @modelcontextprotocol/conformance $version already installed in $dir"
    exit 0
fi

mkdir -p "$dir"
cp "$src/package.json" "$src/package-lock.json" "$dir/"
echo "install-suite: npm ci @modelcontextprotocol/conformance $version into $dir"
if ! npm ci --no-audit --no-fund --prefix "$dir"; then
    fail "npm ci failed (see above). Is the npm registry reachable from here (npm config get" \
        "registry: $(npm config get registry 2>/dev/null))? Offline, install once with network" \
        "access or leave out these tests with: ctest -LE conformance"
fi
installed=$("$bin" --version 2>/dev/null || true)
[ "$installed" = "$version" ] || fail "expected conformance $version after npm ci, found '$installed'"
echo "install-suite: installed @modelcontextprotocol/conformance $installed"
