#!/usr/bin/env bash
# README command 1: install dependencies and the default model, build Release, and run
# slm-run on the default model.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"
build/bin/slm-run info "$(python3 scripts/model_path.py gemma)"
