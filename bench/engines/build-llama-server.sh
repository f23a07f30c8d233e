#!/usr/bin/env bash
# Builds llama-server (CPU, OpenMP, Release) from the llama.cpp source that the installed node-llama-cpp bundles
# (node-llama-cpp/llama/gitRelease.bundle), so that both engines run the same llama.cpp revision.
# Cached: a second run prints the binary's path at once. Takes ~5 min on 2 cores.
# usage: bash bench/engines/build-llama-server.sh [CACHE_DIR=bench/.cache]   (prints the llama-server path last)
# env: JOBS=$(nproc)  REBUILD=1 (build again)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=$(mkdir -p "${1:-$ROOT/bench/.cache}" && cd "${1:-$ROOT/bench/.cache}" && pwd)
NLC=$(cd "$ROOT/packages/backend-gguf/node_modules/node-llama-cpp" && pwd -P)
TAG=$(node -p "require('$NLC/llama/llama.cpp.info.json').tag")
SRC=$CACHE/llama.cpp-$TAG; BUILD=$SRC/build-cpu; BIN=$BUILD/bin/llama-server
if [ -x "$BIN" ] && [ -z "${REBUILD:-}" ]; then echo "$BIN"; exit 0; fi
for tool in git cmake c++; do command -v $tool > /dev/null || { echo "build-llama-server: '$tool' is needed" >&2; exit 1; }; done
[ -d "$SRC/.git" ] || git -c advice.detachedHead=false clone -q "$NLC/llama/gitRelease.bundle" "$SRC" >&2
GEN=(); command -v ninja > /dev/null && GEN=(-G Ninja)
cmake -S "$SRC" -B "$BUILD" "${GEN[@]}" -DCMAKE_BUILD_TYPE=Release -DGGML_OPENMP=ON -DGGML_NATIVE=ON \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_SERVER=ON \
  -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_BUILD_UI=OFF -DLLAMA_OPENSSL=OFF > "$CACHE/llama-server-cmake.log" 2>&1 \
  || { tail -30 "$CACHE/llama-server-cmake.log" >&2; exit 1; }
cmake --build "$BUILD" --target llama-server --parallel "${JOBS:-$(nproc)}" > "$CACHE/llama-server-build.log" 2>&1 \
  || { tail -30 "$CACHE/llama-server-build.log" >&2; exit 1; }
echo "$BIN"
