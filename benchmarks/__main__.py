"""`python -m benchmarks [--json] [--quick] [--record]`: measure Quartier's performance."""

from __future__ import annotations

import argparse
import json

from benchmarks.suite import Settings, measure, record_reference, table


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, a smoke run")
    parser.add_argument(
        "--record",
        action="store_true",
        help="record the reference summary (after an intended model change)",
    )
    args = parser.parse_args()
    if args.record:
        record_reference()
    results = measure(Settings(quick=args.quick))
    print(json.dumps(results, indent=1) if args.json else table(results))


if __name__ == "__main__":
    main()
