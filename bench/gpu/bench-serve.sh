#!/usr/bin/env bash
# On the GPU machine, after setup.sh: llama-server and `llmux serve` from the same llama.cpp source, one after the other on
# one GPU, streamed chat completions over loopback HTTP, greedy, NTOK tokens, aggregate tok/s and TTFT at each concurrency.
# usage (from the folder holding llmux's package.json, dist/ and node_modules/): bash bench-serve.sh MODEL ["1 8 32"] [256]
# env: VARIANTS="default pool4 nobatch" (llmux runs: as shipped; UV_THREADPOOL_SIZE=4; without the native greedy batch;
#      "threads1": one CPU thread for the model instead of the size-based default; "noahead": LLMUX_GREEDY_RUN_AHEAD=0;
#      "nosync": LLMUX_SYNC_DECODE_MS=0, every decode on a worker thread; "nocache": the prompt cache off;
#      "nosteps": LLMUX_GREEDY_STEPS_MS=0, one token per native decode call; "steps8": LLMUX_GREEDY_STEPS_MS=8)
#      "profile" (as shipped, under node --cpu-prof, largest concurrency only; profile in PROFILE_DIR=/tmp/prof)
#      GPU_JSON='"cuda"' (the model's gpu key; false for a CPU smoke test)  PARTS="server llmux batched"  PER=3 (requests per worker)  GPU_ENV=/tmp/gpu.env
# Prints JSON lines: {"engine":..., "model":..., "concurrency":..., "agg_tok_s":..., "ttft_p50_ms":...}.
set -uo pipefail
M=$(realpath "$1"); CONCS=${2:-1 8 32}; NTOK=${3:-256}; HERE=$(dirname "$(realpath "$0")")
source "${GPU_ENV:-/tmp/gpu.env}"
GPU_JSON=${GPU_JSON:-'"cuda"'}; PARTS=${PARTS:-server llmux batched}; VARIANTS=${VARIANTS:-default pool4 nobatch}; PER=${PER:-3}
NP=$(echo $CONCS | tr ' ' '\n' | sort -n | tail -1); PER_SEQ=$((NTOK + 64)); NAME=$(basename "$M" .gguf)
has() { [[ " $PARTS " == *" $1 "* ]]; }
wait_http() { for _ in $(seq 600); do node -e "fetch('$1').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))" && return 0
  kill -0 "$2" 2>/dev/null || return 1; sleep 0.5; done; return 1; }
tag() { sed "s/^{/{\"engine\":\"$1\",\"model\":\"$NAME\",/"; }
load() { # URL ENGINE
  node "$HERE/loadgen.mjs" "$1" 1 1 16 > /dev/null || return 1   # warm-up (llmux loads the model on first use)
  for c in $CONCS; do node "$HERE/loadgen.mjs" "$1" "$c" "$PER" "$NTOK" | tag "$2"; done
}

if has server; then
  setsid nohup "$LLAMA_BIN/llama-server" -m "$M" -ngl 99 -np "$NP" -c $((NP * PER_SEQ)) -fa on --host 127.0.0.1 --port 8089 \
    > /tmp/llama-server.log 2>&1 &
  SPID=$!
  wait_http http://127.0.0.1:8089/health $SPID && load http://127.0.0.1:8089/v1/chat/completions llama-server \
    || tail -20 /tmp/llama-server.log
  kill $SPID; wait $SPID 2>/dev/null
fi

if has llmux; then
  config() { # EXTRA model keys
    cat > /tmp/llmux-bench.json <<JSON
{"server": {"host": "127.0.0.1", "port": 8090}, "log": {"level": "warn"},
 "models": {"$NAME": {"source": "$M", "aliases": ["default"], "gpu": $GPU_JSON, "parallel": $NP, "contextSize": $PER_SEQ,
   "flashAttention": true $1}}}
JSON
  }
  cp "$HERE/no-greedy-batch.mjs" ./no-greedy-batch.mjs   # resolves node-llama-cpp from this folder's node_modules
  for v in $VARIANTS; do
    envs=(); pre=(); config ""
    case $v in threads1) config ', "threads": 1';; nocache) config ', "promptCache": 0';; pool4) envs=(UV_THREADPOOL_SIZE=4);; noahead) envs=(LLMUX_GREEDY_RUN_AHEAD=0);;
      nosync) envs=(LLMUX_SYNC_DECODE_MS=0);; nosteps) envs=(LLMUX_GREEDY_STEPS_MS=0);; steps8) envs=(LLMUX_GREEDY_STEPS_MS=8);; nobatch) pre=(--import "$PWD/no-greedy-batch.mjs");;
      profile) pre=(--cpu-prof --cpu-prof-dir="${PROFILE_DIR:-/tmp/prof}");; esac
    setsid nohup env "${envs[@]}" node "${pre[@]}" dist/cli/main.cjs serve -c /tmp/llmux-bench.json > /tmp/llmux-$v.log 2>&1 &
    LPID=$!
    if wait_http http://127.0.0.1:8090/admin/health $LPID; then
      if [ "$v" = profile ]; then   # the profile covers the load, the warm-up and the largest concurrency
        CONCS=$NP load http://127.0.0.1:8090/v1/chat/completions "llmux-$v-profiled" || tail -20 /tmp/llmux-$v.log
      else
        load http://127.0.0.1:8090/v1/chat/completions "llmux-$v" || tail -20 /tmp/llmux-$v.log
      fi
      node -e "fetch('http://127.0.0.1:8090/admin/device').then(r=>r.text()).then(t=>console.log(t))" | tag "llmux-$v-device"
    else tail -20 /tmp/llmux-$v.log; fi
    kill $LPID; wait $LPID 2>/dev/null
  done
fi

if has batched; then   # llama.cpp's engine alone (no HTTP, no JS): the ceiling
  "$LLAMA_BIN/llama-batched-bench" -m "$M" -ngl 99 -c $((NP * PER_SEQ)) -b 2048 -ub 512 -fa on -npp 16 -ntg "$NTOK" \
    -npl "$(echo $CONCS | tr ' ' ',')" 2>/tmp/batched.err | grep -E '^\|' || tail -5 /tmp/batched.err
fi
