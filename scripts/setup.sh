#!/usr/bin/env bash
# README command 1: install dependencies and the default model, build Release, and run
# slm-run on the default model (it streams text, then prints load time and speeds).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"
build/bin/slm-run info "$(python3 scripts/model_path.py gemma)" | sed -n 1,12p  # the summary; the full key and tensor tables follow it
build/bin/slm-run -p "Write a haiku about the sea." -n 64
