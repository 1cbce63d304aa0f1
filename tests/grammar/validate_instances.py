#!/usr/bin/env python3
"""Validates generated instances against their schemas with the `jsonschema` package.

Input: a JSON Lines file of {"schema_file": path, "instance": text}. Each text must
parse as JSON and be valid under its schema (the validator its $schema names, draft
2020-12 otherwise, with format assertion on). Prints a summary; exit status 1 when any
instance is invalid.
"""
import json
import sys

import jsonschema
from jsonschema.validators import validator_for


def main() -> int:
    schemas = {}
    checked = invalid = unvalidatable = 0
    with open(sys.argv[1], encoding="utf-8") as lines:
        for line in lines:
            item = json.loads(line)
            path = item["schema_file"]
            if path not in schemas:
                with open(path, encoding="utf-8") as f:
                    schema = json.load(f)
                cls = validator_for(schema, default=jsonschema.Draft202012Validator)
                schemas[path] = cls(schema, format_checker=cls.FORMAT_CHECKER)
            checked += 1
            try:
                value = json.loads(item["instance"])
            except ValueError as e:
                invalid += 1
                print(f"NOT JSON {path}: {item['instance']!r}: {e}")
                continue
            try:
                errors = list(schemas[path].iter_errors(value))
            except Exception as e:  # the validator itself fails (e.g. a pattern Python cannot compile)
                unvalidatable += 1
                print(f"UNVALIDATABLE {path}: {e}")
                continue
            if errors:
                invalid += 1
                print(f"INVALID {path}: {item['instance']!r}: {errors[0].message}")
    print(f"checked {checked} instances of {len(schemas)} schemas: {invalid} invalid, {unvalidatable} unvalidatable")
    return 1 if invalid else 0


if __name__ == "__main__":
    sys.exit(main())
