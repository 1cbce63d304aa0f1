#!/bin/sh
# Builds the peer for `slm-bench --peer`: llama.cpp's llama-bench from the vendor/llama.cpp
# tree of the llama-cpp-python sdist on PyPI (the only llama.cpp source a fresh machine can
# get from its allowed package sources). Never needed by the build, the tests or CI.
#   bench/build_peer.sh [DIR]   → prints the path of llama-bench (DIR default: ~/.cache/slm-peer)
set -eu
version=0.3.36
dir=${1:-$HOME/.cache/slm-peer}
src="$dir/llama_cpp_python-$version/vendor/llama.cpp"
mkdir -p "$dir"
if [ ! -d "$src" ]; then
  python3 -m pip download --quiet --no-deps --no-binary=:all: "llama-cpp-python==$version" -d "$dir" >&2
  tar -xzf "$dir/llama_cpp_python-$version.tar.gz" -C "$dir"
fi
cmake -S "$src" -B "$src/build" -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON -DLLAMA_CURL=OFF \
  -DLLAMA_BUILD_SERVER=OFF >&2
cmake --build "$src/build" --target llama-bench -j "$(nproc)" >&2
echo "$src/build/bin/llama-bench"
