#!/bin/sh
# llama.cpp's own agreement with the reference outputs (see compare.py), for judging how
# strict the reference criterion is. Needs the peer from bench/build_peer.sh.
#   bench/peer_reference/run.sh LLAMA_BENCH [MODEL_FILE_NAME...]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=$(dirname "$1")
src=$(cd "$bin/../.." && pwd)
shift
out=${TMPDIR:-/tmp}/slm-peer-top1
g++ -O2 "$here/top1.cpp" -I"$src/include" -I"$src/ggml/include" -L"$bin" -lllama -lggml -lggml-base \
  -Wl,-rpath,"$bin" -o "$out"
[ $# -gt 0 ] || set -- ref-qwen2-Q4_K_M.gguf ref-qwen3-Q4_K_M.gguf ref-phi3-Q4_K_M.gguf ref-llama-Q4_K_M.gguf \
  ref-gemma3-Q4_K_M.gguf ref-llama-zoo-Q4_K_M.gguf ref-llama-zoo-Q6_K.gguf
python3 "$here/compare.py" "$out" "$here/../../../shared/reference" "$@"
