#!/usr/bin/env bash
# The speed table of issue 5 in one go: slm against llama.cpp, alternating, on the default
# model (Gemma 3 270M Q4_K_M) and the synthetic SmolLM2-135M, Qwen2.5-0.5B and
# Llama-3.2-1B shapes in Q4_0, Q4_K_M and Q8_0 (made on first use with slm-bench synth and
# slm-quantize; speed does not depend on the random weights). Markdown on stdout, one
# table per model; progress and peak memory on stderr.
#   bench/peer_table.sh LLAMA_BENCH [MODEL_DIR] [slm-bench options]
#     LLAMA_BENCH: from bench/build_peer.sh; MODEL_DIR default ~/.cache/slm-bench-models;
#     options default: -p 512 -n 128 -t 1,2 -r 3
set -euo pipefail
cd "$(dirname "$0")/.."
peer=${1:?usage: bench/peer_table.sh LLAMA_BENCH [MODEL_DIR] [slm-bench options]}
dir=${2:-$HOME/.cache/slm-bench-models}
shift $(( $# >= 2 ? 2 : 1 ))
options=("$@")
[ ${#options[@]} -gt 0 ] || options=(-p 512 -n 128 -t 1,2 -r 3)
bin=build/bin
mkdir -p "$dir"
models=("$(python3 scripts/model_path.py gemma)")
for shape in smollm2-135m qwen2.5-0.5b llama-3.2-1b; do
  [ -f "$dir/$shape-f16.gguf" ] || "$bin/slm-bench" synth --shape "$shape" -o "$dir/$shape-f16.gguf" >&2
  for type in Q4_0 Q4_K_M Q8_0; do
    out="$dir/$shape-$type.gguf"
    [ -f "$out" ] || "$bin/slm-quantize" "$dir/$shape-f16.gguf" "$out" "$type" >&2
    models+=("$out")
  done
done
for model in "${models[@]}"; do
  echo "### $(basename "$model")"
  "$bin/slm-bench" -m "$model" "${options[@]}" --peer "$peer"
  echo
done
