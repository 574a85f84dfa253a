#!/usr/bin/env python3
"""Check a suite's pass rate from its --json results: `suite_gate.py NAME RESULTS.json MIN_RATE`."""
from __future__ import annotations

import json
import sys


def main(argv: list[str]) -> int:
    """Print the pass rate; exit 1 below the minimum."""
    name, path, minimum = argv[1], argv[2], float(argv[3])
    with open(path, encoding="utf-8") as fh:
        results = json.load(fh)
    passed = sum(1 for r in results if r.get("ok"))
    rate = passed / len(results) if results else 0.0
    verdict = "ok" if rate >= minimum else "BELOW"
    print(f"{name}: {passed}/{len(results)} = {rate:.1%} (minimum {minimum:.0%}) {verdict}")
    return 0 if rate >= minimum else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
