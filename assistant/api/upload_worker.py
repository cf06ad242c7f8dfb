"""The upload check in a process of its own: `python -m assistant.api.upload_worker --acts DIR
--registry FILE --memory-mb N --cpu-s N` reads and validates the files like `kenes ingest`
would, under an address-space and CPU-time limit, and prints one JSON line:
`{"ok": true}` or `{"ok": false, "message", "problems", "problems_total"}`.

Why a process: a decompression bomb (a YAML alias bomb, a .docx that unpacks to gigabytes) must
cost this process, which the kernel stops at its limits, and never the API server's memory.
Only the standard library is imported before the limits are set."""

from __future__ import annotations

import argparse
import json
import resource
import sys
from pathlib import Path

EXIT_LIMIT = 3


def _limit(kind: int, value: int) -> None:
    _, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, hard))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="upload_worker")
    parser.add_argument("--acts", type=Path)
    parser.add_argument("--registry", type=Path)
    parser.add_argument("--memory-mb", type=int, required=True)
    parser.add_argument("--cpu-s", type=int, required=True)
    args = parser.parse_args(argv)
    _limit(resource.RLIMIT_AS, args.memory_mb * 1024 * 1024)
    _limit(resource.RLIMIT_CPU, args.cpu_s)
    try:
        from assistant.errors import ValidationProblem
        from ingest.registry import count_problems
        from ingest.sources import load_sources

        try:
            load_sources(args.acts, args.registry)
        except ValidationProblem as exc:
            out = {"ok": False, "message": exc.message, **exc.details}
            out["problems_total"] = count_problems(exc.problems)  # the registry's list is capped
            print(json.dumps(out, ensure_ascii=False))
            return 0
    except MemoryError:
        print(json.dumps({"ok": False, "limit": "memory"}))
        return EXIT_LIMIT
    print(json.dumps({"ok": True}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
