#!/usr/bin/env python3
"""Independent check of constrained outputs (used by test_constrained_generation).

Reads a JSON file {"cases": [...]} where each case is
  {"kind": "schema", "schema": {...}, "output": "..."}  -> output parses as JSON and is valid
  {"kind": "tools", "format": "json|python|hermes|llama3", "tools": [...], "output": "..."}
      -> output parses in that format, names defined functions, arguments valid
Prints one line per invalid case and exits 1 if there is any.
"""
import ast
import json
import re
import sys

import jsonschema

BFCL_TYPES = {"dict": "object", "float": "number", "tuple": "array"}


def normalized(schema):
    """BFCL's Python-style type names as JSON Schema, undeclared arguments forbidden."""
    if isinstance(schema, dict):
        out = {k: normalized(v) for k, v in schema.items()}
        if out.get("type") == "any":
            del out["type"]
        elif isinstance(out.get("type"), str):
            out["type"] = BFCL_TYPES.get(out["type"], out["type"])
        return out
    if isinstance(schema, list):
        return [normalized(s) for s in schema]
    return schema


def parameters_of(tools):
    params = {}
    for t in tools:
        fn = t.get("function", t)
        p = normalized(fn.get("parameters", {"type": "object", "properties": {}}))
        p.setdefault("additionalProperties", False)
        params[fn["name"]] = p
    return params


def calls_in(fmt, output):
    """[(name, arguments)] of the calls in the output."""
    if fmt == "python":
        tree = ast.parse(output, mode="eval").body
        if not isinstance(tree, ast.List):
            raise ValueError("not a list of calls")
        calls = []
        for call in tree.elts:
            if not isinstance(call, ast.Call) or call.args:
                raise ValueError("not a keyword-argument call")
            calls.append((ast.unparse(call.func), {k.arg: ast.literal_eval(k.value) for k in call.keywords}))
        return calls
    if fmt == "hermes":
        bodies = re.findall(r"<tool_call>\n(.*?)\n</tool_call>", output, re.S)
        if not bodies or re.sub(r"<tool_call>\n.*?\n</tool_call>", "", output, flags=re.S).strip():
            raise ValueError("not a sequence of <tool_call> blocks")
        objs = [json.loads(b) for b in bodies]
    else:
        value = json.loads(output)
        objs = value if isinstance(value, list) else [value]
    key = "parameters" if fmt == "llama3" else "arguments"
    return [(o["name"], o[key]) for o in objs]


def problem(case):
    if case["kind"] == "schema":
        jsonschema.validate(json.loads(case["output"]), case["schema"])
        return None
    params = parameters_of(case["tools"])
    calls = calls_in(case["format"], case["output"])
    if not calls:
        return "no call"
    for name, args in calls:
        if name not in params:
            return f"undefined function {name}"
        jsonschema.validate(args, params[name])
    return None


def main():
    cases = json.load(open(sys.argv[1]))["cases"]
    bad = 0
    for i, case in enumerate(cases):
        try:
            why = problem(case)
        except Exception as e:  # any parse or validation error is a failure
            why = f"{type(e).__name__}: {e}"
        if why:
            bad += 1
            print(f"case {i}: {why.splitlines()[0]}\n  output: {case['output']!r}")
    print(f"{len(cases) - bad}/{len(cases)} valid")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
