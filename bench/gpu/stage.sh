#!/usr/bin/env bash
# Here (x86-64 Linux with node, npm, pnpm): make what the GPU machine needs, in two folders of REPO (ignored by git):
#   STAGE (.gpu-stage/llmux): the production tree of @llmux/server (package.json + dist), whose node_modules travel packed
#   CARRY (.gpu): node, npm and that node_modules (pack.sh: no prebuilt GPU binaries, trimmed llama.cpp source) + these scripts
# node-llama-cpp keeps its llama.cpp source as a git bundle; `source download --skipBuild` unpacks it offline, and
# pnpm has already applied patches/node-llama-cpp@3.22.1.patch to the deployed copy, so the device builds the patched addon.
# usage (workspace root): bash bench/gpu/stage.sh [REPO=/work/main]   then name .gpu and .gpu-stage in the device call's carry
set -euo pipefail
WS=$PWD; REPO=$(realpath "${1:-/work/main}"); HERE=$(dirname "$(realpath "$0")")
STAGE=$REPO/.gpu-stage/llmux; CARRY=$REPO/.gpu; TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
pnpm build
pnpm --filter @llmux/server deploy --prod --config.inject-workspace-packages=true --config.node-linker=hoisted "$TMP/llmux" > "$TMP/deploy.log" 2>&1 \
  || { tail -20 "$TMP/deploy.log"; exit 1; }
grep -q sampleGreedyBatch "$TMP/llmux/node_modules/node-llama-cpp/llama/addon/AddonContext.cpp" || { echo "patch not applied" >&2; exit 1; }
(cd "$TMP/llmux/node_modules/node-llama-cpp" && node dist/cli/cli.js source download --skipBuild > /dev/null)
rm -rf "$CARRY" "$STAGE"; mkdir -p "$STAGE"
bash "$HERE/pack.sh" "$CARRY" "$TMP/llmux/node_modules"
cp -r "$TMP/llmux/package.json" "$TMP/llmux/dist" "$STAGE/"
du -sh "$CARRY" "$STAGE"
