"""How long parsing a policy takes, and how many of its expected fields the parser reads right.

Run: ``.venv/bin/python -m benchmarks.bench_policy``. For the
bundled policy and every test policy in ``tests/policies`` it prints the
median parse time (after one warm-up parse that loads the vocabularies) and
the leaf values of the expected model the parse reproduces exactly.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

import yaml

from audit.paths import DATA_DIR, POLICY_DIR, PROJECT_DIR
from audit.policy.text import parse_document

NOT_COMPARED = ("source", "date", "text_sha256", "unparsed")


def _cases() -> dict[str, tuple[Path, dict[str, Any]]]:
    bundled = yaml.safe_load((POLICY_DIR / "policy.yaml").read_text(encoding="utf-8"))
    out = {"bundled (sv, numbered, bullets)": (POLICY_DIR / "integritetspolicy.txt", bundled)}
    sources = {
        "sv-tables": PROJECT_DIR / "tests/policies/sv-tables/integritetspolicy.md",
        "en-subheadings": DATA_DIR / "example/privacy-notice.md",
        "html-notice": PROJECT_DIR / "tests/policies/html-notice/notice.html",
        "short-notice": PROJECT_DIR / "tests/policies/short-notice/notice.txt",
    }
    for name, path in sources.items():
        expected = yaml.safe_load((PROJECT_DIR / f"tests/policies/{name}/expected.yaml").read_text(encoding="utf-8"))
        out[name] = (path, expected)
    return out


def _leaves(value: Any, path: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        return {k: v for key, item in value.items() for k, v in _leaves(item, f"{path}.{key}").items()}
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return {k: v for i, item in enumerate(value) for k, v in _leaves(item, f"{path}[{i}]").items()}
    return {path: value}


REPEAT = 5


def main() -> int:
    """Print one line per policy: fields read right / expected, median parse time of :data:`REPEAT` parses."""
    for name, (path, expected) in _cases().items():
        ids_from = expected if name.startswith("bundled") else None
        parse_document(path, ids_from)
        times = []
        for _ in range(REPEAT):
            start = time.perf_counter()
            result = parse_document(path, ids_from)
            times.append(time.perf_counter() - start)
        got = _leaves({k: v for k, v in result.model.items() if k not in NOT_COMPARED})
        want = _leaves({k: v for k, v in expected.items() if k not in NOT_COMPARED + ("language",)})
        right = sum(1 for key, value in want.items() if got.get(key) == value)
        print(f"{name:34} fields {right:4d} / {len(want):4d}   parse {statistics.median(times) * 1000:7.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
