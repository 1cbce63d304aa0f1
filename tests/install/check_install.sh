#!/usr/bin/env bash
# Installs the built tree into a temporary prefix, then builds and runs a consumer
# through find_package(slm) and through pkg-config.
# Usage: check_install.sh BUILD_DIR CONSUMER_SOURCE_DIR GGUF_FILE EXPECTED_TENSORS
set -euo pipefail
build=$1 consumer=$2 gguf=$3 expected=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" > /dev/null
cmake -S "$consumer" -B "$work/consumer" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" > /dev/null
cmake --build "$work/consumer" > /dev/null
out=$("$work/consumer/consumer" "$gguf")
[ "$out" = "$expected tensors" ] || { echo "find_package consumer printed '$out'"; exit 1; }

libdir=$(ls -d "$work"/prefix/lib*/pkgconfig | head -n 1)
export PKG_CONFIG_PATH="$libdir"
# shellcheck disable=SC2046
c++ -std=c++20 "$consumer/main.cpp" -o "$work/pc_consumer" $(pkg-config --cflags --libs --static slm)
out=$("$work/pc_consumer" "$gguf")
[ "$out" = "$expected tensors" ] || { echo "pkg-config consumer printed '$out'"; exit 1; }
echo "install OK"
