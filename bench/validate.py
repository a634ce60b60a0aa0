"""Benchmark: LabWeb's qna.yaml validator against the reference (instructlab-schema's TaxonomyParser).

Validates every qna.yaml of the shared corpus with both, in the same process and run, for each mode:
  ilab -- TaxonomyParser(schema_version=0, yamllint_strict=True)
  ci   -- the taxonomy repository's scripts/check-yaml.py (latest schema, non-strict lint, attribution.txt)
and prints files/s for each, the verdict agreement, and last the overall speed ratio.
Exits non-zero when any verdict differs.

The reference is timed in its fastest setting: ``yamllint`` on PATH (it runs it once per linted file) and no
``yq`` on PATH (it would otherwise try ``yq`` once per schema error just to find a line number).

    .venv/bin/python bench/validate.py [--rounds 3] [--modes ilab,ci] [--corpus ../shared/corpus]
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from taxonomy_app.schema import validate_file  # noqa: E402

DEFAULT_CORPUS = (REPO_ROOT / ".." / "shared" / "corpus").resolve()
TREES = ("taxonomy-2025", "taxonomy-2024")


def corpus_files(corpus: Path) -> list[tuple[Path, Path]]:
    """(tree root, file) for every qna.yaml."""
    files = []
    for tree in TREES:
        root = corpus / tree
        if root.is_dir():
            files.extend((root, path) for path in sorted(root.rglob("qna.yaml")))
    return files


def reference_environment() -> None:
    venv_bin = str(Path(sys.executable).parent)
    kept = [venv_bin] + [
        d
        for d in os.environ.get("PATH", "").split(os.pathsep)
        if d and d != venv_bin and not (Path(d) / "yq").exists()
    ]
    os.environ["PATH"] = os.pathsep.join(kept)
    logger = logging.getLogger("instructlab.schema.taxonomy")
    logger.addHandler(logging.NullHandler())
    logger.propagate = False


def load_check_yaml(corpus: Path):
    script = corpus / "taxonomy-2025" / "scripts" / "check-yaml.py"
    if not script.is_file():
        return None
    spec = importlib.util.spec_from_file_location("taxonomy_check_yaml", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def reference_verdict(path: Path, mode: str, taxonomy, check_yaml) -> bool:
    try:
        if mode == "ilab":
            parser = taxonomy.TaxonomyParser(schema_version=0, yamllint_strict=True, message_format="logging")
            return parser.parse(path).errors == 0
        if check_yaml is not None:
            return check_yaml.CheckYaml(yaml_files=[path], message_format="logging").check() == 0
        parser = taxonomy.TaxonomyParser(schema_version=None, yamllint_strict=False, message_format="logging")
        result = parser.parse(path)
        if result.version > 1:
            attribution = path.with_name("attribution.txt")
            if not attribution.is_file() or attribution.stat().st_size == 0:
                return False
        return result.errors == 0
    except taxonomy.TaxonomyReadingException:
        return False


def timed(function, items, rounds: int) -> tuple[float, list]:
    best = None
    verdicts: list = []
    for _ in range(rounds):
        started = time.perf_counter()
        verdicts = [function(item) for item in items]
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    return best, verdicts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--rounds", type=int, default=3, help="timing rounds per side (best round counts)")
    parser.add_argument("--modes", default="ilab,ci")
    args = parser.parse_args()

    files = corpus_files(args.corpus)
    if not files:
        print(f"no qna.yaml found under {args.corpus}", file=sys.stderr)
        return 2
    reference_environment()
    from instructlab.schema import taxonomy

    check_yaml = load_check_yaml(args.corpus)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    total_ours = total_reference = 0.0
    agreed = compared = 0
    print(f"{len(files)} qna.yaml files, modes {', '.join(modes)}, best of {args.rounds} rounds")
    for mode in modes:
        ours_time, ours = timed(
            lambda item, mode=mode: validate_file(item[1], taxonomy_root=item[0], mode=mode).valid,
            files,
            args.rounds,
        )
        ref_time, theirs = timed(
            lambda item, mode=mode: reference_verdict(item[1], mode, taxonomy, check_yaml), files, args.rounds
        )
        same = sum(1 for a, b in zip(ours, theirs, strict=True) if a == b)
        for (root, path), a, b in zip(files, ours, theirs, strict=True):
            if a != b:
                print(f"  DISAGREE [{mode}] {path.relative_to(root)}: ours valid={a}, reference valid={b}")
        agreed += same
        compared += len(files)
        total_ours += ours_time
        total_reference += ref_time
        print(
            f"{mode:5s} ours: {len(files) / ours_time:8.1f} files/s ({ours_time:.2f} s)   "
            f"reference: {len(files) / ref_time:8.1f} files/s ({ref_time:.2f} s)   "
            f"valid: {sum(ours)} ours / {sum(theirs)} reference   agreement {100 * same / len(files):.1f}%"
        )
    agreement = 100 * agreed / compared
    ours_rate = compared / total_ours
    reference_rate = compared / total_reference
    print(
        f"all   ours: {ours_rate:8.1f} files/s   reference: {reference_rate:8.1f} files/s   "
        f"agreement {agreement:.1f}% ({agreed}/{compared})"
    )
    print(f"ratio ours/reference files/s: {ours_rate / reference_rate:.1f}x (target >= 5x)")
    return 0 if agreed == compared else 1


if __name__ == "__main__":
    sys.exit(main())
