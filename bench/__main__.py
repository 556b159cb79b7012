"""Run every benchmark in turn: `python -m bench` (or `make bench`), or one:
`python -m bench NAME`."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS: tuple[str, ...] = (
    "statuspage",
    "intake",
    "intake_limits",
    "escalation",
    "monthly",
    "door_memory",
    "incident_list",
    "storm",
    "email_transport",
    "webhook_transport",
    "message_cost",
    "planner_cost",
    "storm_folding",
)


def main(argv: list[str]) -> int:
    chosen = argv or list(BENCHMARKS)
    for name in chosen:
        print(f"== bench.{name}", flush=True)
        importlib.import_module(f"bench.{name.replace('-', '_')}").main()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
