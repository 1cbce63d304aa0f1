#!/usr/bin/env bash
# README command 2: build (Release, tests on) and run the whole test suite. Real models
# are required: a missing one fails the run instead of skipping tests.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DSLM_BUILD_TESTS=ON
cmake --build build -j"$(nproc)"
SLM_REQUIRE_MODELS=1 ctest --test-dir build -j"$(nproc)" --output-on-failure --timeout 600
