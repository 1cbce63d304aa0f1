#!/usr/bin/env python3
"""How often llama.cpp itself agrees with ../shared/reference: for each model file given,
its top-1 at every prompt position (top1, built by run.sh) against the reference's, where
the reference's own top-2 margin is above 0.1 (the generation issue's criterion), with the
repacked weight layouts off (as the reference was made) and on (what llama-bench times).
    compare.py TOP1_BINARY REFERENCE_DIR MODEL_FILE_NAME...
"""
import glob
import json
import subprocess
import sys

top1, ref = sys.argv[1], sys.argv[2]
for model in sys.argv[3:]:
    for repack in (0, 1):
        agree = eligible = differ = positions = 0
        for out in sorted(glob.glob(f"{ref}/outputs/{model.removesuffix('.gguf')}--*.json")):
            d = json.load(open(out))
            run = subprocess.run([top1, f"{ref}/models/{model}", str(repack)] + [str(t) for t in d["tokens"]],
                                 capture_output=True, text=True, check=True)
            for pos, line in zip(d["positions"], run.stdout.split("\n")):
                got = int(line)
                best, second = pos["top"][0], pos["top"][1]
                positions += 1
                differ += got != best[0]
                if best[1] - second[1] > 0.1:
                    eligible += 1
                    agree += got == best[0]
        print(f"{model} repacked={repack}: top-1 {agree}/{eligible} at margin > 0.1, {differ}/{positions} positions differ")
