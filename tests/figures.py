"""Figures the reliability checks measured, one JSON line each in
``test-artifacts/reliability.jsonl`` (the README's "Reliability" table is written from them)."""

import json
import time
from pathlib import Path

FIGURES = Path(__file__).resolve().parents[1] / "test-artifacts" / "reliability.jsonl"


def record(check: str, **numbers) -> None:
    """Append ``numbers`` for ``check`` and print them (``FIGURES {...}``)."""
    FIGURES.parent.mkdir(exist_ok=True)
    line = {"check": check, "at": time.strftime("%Y-%m-%d %H:%M"), **numbers}
    with FIGURES.open("a") as out:
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
    print("\nFIGURES", json.dumps(line, ensure_ascii=False))
