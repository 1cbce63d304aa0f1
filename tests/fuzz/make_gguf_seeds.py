#!/usr/bin/env python3
"""Writes the seed corpus for fuzz_gguf: small valid GGUF files that exercise every
metadata value type, string arrays, general.alignment and tensors of several types.
Run once: python3 tests/fuzz/make_gguf_seeds.py tests/fuzz/corpus/gguf"""
import os
import struct
import sys

U8, I8, U16, I16, U32, I32, F32, BOOL, STR, ARR, U64, I64, F64 = range(13)
SCALAR = {U8: "<B", I8: "<b", U16: "<H", I16: "<h", U32: "<I", I32: "<i", F32: "<f",
          BOOL: "<B", U64: "<Q", I64: "<q", F64: "<d"}
BLOCK = {0: (1, 4), 1: (1, 2), 2: (32, 18), 8: (32, 34), 12: (256, 144), 14: (256, 210), 30: (1, 2)}


def gstr(s: bytes) -> bytes:
    return struct.pack("<Q", len(s)) + s


def value(t, v) -> bytes:
    if t == STR:
        return gstr(v)
    if t == ARR:
        et, items = v
        return struct.pack("<IQ", et, len(items)) + b"".join(value(et, i) for i in items)
    return struct.pack(SCALAR[t], v)


def gguf(kvs, tensors, alignment=32, version=3) -> bytes:
    out = struct.pack("<IIQQ", 0x46554747, version, len(tensors), len(kvs))
    for key, t, v in kvs:
        out += gstr(key) + struct.pack("<I", t) + value(t, v)
    offset, blobs = 0, []
    for name, ttype, dims in tensors:
        per_block, nbytes = BLOCK[ttype]
        n = 1
        for d in dims:
            n *= d
        size = n // per_block * nbytes
        out += gstr(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims)
        out += struct.pack("<IQ", ttype, offset)
        blobs.append(bytes((i * 7) & 0xFF for i in range(size)))
        offset += size + (-size) % alignment
    out += b"\0" * ((-len(out)) % alignment)
    for b in blobs:
        out += b + b"\0" * ((-len(b)) % alignment)
    return out


def main(folder: str) -> None:
    os.makedirs(folder, exist_ok=True)
    every_type = [(b"t.u8", U8, 1), (b"t.i8", I8, -1), (b"t.u16", U16, 2), (b"t.i16", I16, -2),
                  (b"t.u32", U32, 3), (b"t.i32", I32, -3), (b"t.f32", F32, 0.5), (b"t.bool", BOOL, 1),
                  (b"t.str", STR, b"llama"), (b"t.u64", U64, 4), (b"t.i64", I64, -4), (b"t.f64", F64, 2.5)]
    vocab = [(b"tokenizer.ggml.model", STR, b"llama"),
             (b"tokenizer.ggml.tokens", ARR, (STR, [b"<unk>", b"<s>", b"\xe2\x96\x81a", b"b"])),
             (b"tokenizer.ggml.scores", ARR, (F32, [0.0, -1.0, -2.0, -3.0])),
             (b"tokenizer.ggml.token_type", ARR, (I32, [2, 3, 1, 1])),
             (b"tokenizer.ggml.add_bos_token", BOOL, 1)]
    seeds = {
        "empty_v3.gguf": gguf([], []),
        "empty_v2.gguf": gguf([], [], version=2),
        "every_type.gguf": gguf(every_type, []),
        "vocab.gguf": gguf(vocab, []),
        "tensors.gguf": gguf([(b"general.architecture", STR, b"llama")],
                             [(b"a", 0, [4, 2]), (b"b", 2, [32]), (b"c", 12, [256]), (b"d", 30, [2, 2, 2, 2])]),
        "aligned64.gguf": gguf([(b"general.alignment", U32, 64)], [(b"x", 8, [32, 2]), (b"y", 14, [256])], 64),
        "arrays.gguf": gguf([(b"a.u8", ARR, (U8, [1, 2, 3])), (b"a.bool", ARR, (BOOL, [0, 1])),
                             (b"a.f64", ARR, (F64, [1.0])), (b"a.empty", ARR, (STR, []))], [(b"t", 1, [8])]),
    }
    for name, data in seeds.items():
        with open(os.path.join(folder, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main(sys.argv[1])
