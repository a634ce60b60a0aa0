#!/usr/bin/env python
"""Submit benchmark: the full contribution_submit on a 1,000- and a 10,000-leaf taxonomy, next to a naive baseline.

    .venv/bin/python bench/submit.py [--sizes 1000 10000] [--submissions 60] [--baseline-runs 5] [--keep]

1. Creates an isolated installation in a temporary LABWEB_VAR_DIR (SQLite file database, DEBUG off, nothing
   read from the caller's DATABASE_URL/TAXONOMY_REPO/...) and migrates it programmatically.
2. For each size builds a taxonomy directory from the real qna.yaml (+ attribution.txt) files of
   ../shared/corpus/taxonomy-2024 and -2025 (the sample taxonomy when the corpus is missing), replicated into
   leaf_00001... spread evenly over 40 categories (2 roots -> 10 categories -> 40 subcategories: 25 leaves per
   folder at 1k, 250 at 10k), each copy made unique by a trailing comment; imports it into its own bare
   repository with TaxonomyRepository.import_directory and indexes it with services.index_sync (full).
3. Prepares N complete drafts per size (freeform skills, 5 seeds, distinct contributors and leaf names, all
   new leaves in the same 250-leaf (10k) / 25-leaf (1k) folder), then times `contribution_submit` for each:
   strict validation, the checks against main, the reservation row, the branch commit through git plumbing
   and the finishing transaction (revision + audit). A few warm-up submits are not counted. Also times
   `contribution_check` alone on the same drafts, to show how much of a submit is validation.
4. Baseline: what a naive implementation does for one submission on the 10k repository: `git clone` (local,
   hard-linked objects), `checkout -b`, write the two files, `git add`, `git commit`, `git push` back;
   measured --baseline-runs times.
5. Prints p50/p95 per size, the 10k/1k ratio (target < 1.5) and the 10k p95 (target < 150 ms), and, last,
   the baseline / submit ratio at 10k. Writes bench/results/submit.json. A missed target says MISSED; the exit
   status stays 0.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("LABWEB_CORPUS_DIR", ROOT.parent / "shared" / "corpus"))
SAMPLE = ROOT / "taxonomy_app" / "sample_taxonomy" / "taxonomy"
RESULTS = ROOT / "bench" / "results" / "submit.json"
SOURCE_TAXONOMIES = ("taxonomy-2024", "taxonomy-2025")
TARGET_RATIO = 1.5
TARGET_P95_MS = 150.0
WARMUP = 5

LAYOUT: dict[str, dict[str, list[str]]] = {
    "compositional_skills": {
        "writing": ["freeform", "grounded", "poetry", "email"],
        "extraction": ["invoice", "receipt", "technical_paper", "tables"],
        "linguistics": ["summarization", "synonyms", "rhyming_words", "organize_lists"],
        "general": ["formatting", "planning", "etiquette", "tables"],
        "reasoning": ["logical", "temporal", "common_sense", "math"],
        "coding": ["python", "sql", "shell", "javascript"],
        "roleplay": ["explain_like_you_are", "explain_like_i_am", "characters", "interviews"],
    },
    "knowledge": {
        "science": ["animals", "astronomy", "chemistry", "biology"],
        "history": ["textbook", "british_history", "technology", "local"],
        "arts": ["music", "literature", "film", "painting"],
    },
}
TARGET_FOLDER = "compositional_skills/linguistics/summarization"

# Settings that must not leak from the caller's environment into the isolated installation.
ISOLATED_SETTINGS = (
    "DATABASE_URL", "DATABASE_CONN_MAX_AGE", "REDIS_URL", "CELERY_BROKER_URL", "TAXONOMY_REPO", "DOCUMENTS_REPO",
    "TAXONOMY_MAIN_BRANCH", "DOCUMENTS_BROWSE_URL", "DOCUMENTS_REPO_URL", "MEDIA_ROOT", "CELERY_TASK_ALWAYS_EAGER",
)


# ------------------------------------------------------------------------------------------- the taxonomy


def load_sources() -> dict[str, list[tuple[str, bytes | None]]]:
    """(qna.yaml text, attribution.txt bytes) per root, from the corpus, else from the sample taxonomy."""
    bases = [CORPUS / name for name in SOURCE_TAXONOMIES if (CORPUS / name).is_dir()] or [SAMPLE]
    sources: dict[str, list[tuple[str, bytes | None]]] = {"compositional_skills": [], "knowledge": []}
    for base in bases:
        for root, found in sources.items():
            for qna in sorted((base / root).rglob("qna.yaml")):
                attribution = qna.with_name("attribution.txt")
                found.append((qna.read_text(encoding="utf-8"),
                              attribution.read_bytes() if attribution.is_file() else None))
    for root, found in sources.items():
        if not found:
            raise SystemExit(f"no {root} qna.yaml files under {', '.join(map(str, bases))}")
    return sources


def build_taxonomy(target: Path, sources: dict, leaf_total: int) -> dict:
    folders = [(root, f"{root}/{cat}/{sub}") for root, cats in LAYOUT.items()
               for cat, subs in cats.items() for sub in subs]
    per_folder, extra = divmod(leaf_total, len(folders))
    number, files = 0, 0
    for index, (root, folder) in enumerate(folders):
        pool = sources[root]
        for _ in range(per_folder + (1 if index < extra else 0)):
            number += 1
            qna, attribution = pool[number % len(pool)]
            leaf = target / folder / f"leaf_{number:05d}"
            leaf.mkdir(parents=True)
            (leaf / "qna.yaml").write_text(qna.rstrip("\n") + f"\n# copy {number}\n", encoding="utf-8")
            files += 1
            if attribution is not None:
                (leaf / "attribution.txt").write_bytes(attribution)
                files += 1
    return {"leaves": number, "files": files, "folders": len(folders),
            "leaves_in_target_folder": sum(1 for _ in (target / TARGET_FOLDER).iterdir())}


# ------------------------------------------------------------------------------------------- measurements


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary(values_ms: list[float]) -> dict:
    return {"n": len(values_ms), "p50_ms": round(percentile(values_ms, 0.50), 2),
            "p95_ms": round(percentile(values_ms, 0.95), 2), "mean_ms": round(statistics.fmean(values_ms), 2),
            "max_ms": round(max(values_ms), 2)}


def make_drafts(size: int, count: int) -> list:
    from django.contrib.auth.models import User

    from labweb.roles import user_assign_role
    from taxonomy_app.contributions import contribution_start, contribution_update
    from taxonomy_app.qna import Attribution, ContributionData, QuestionAnswer, Seed

    drafts = []
    for index in range(count):
        user = User.objects.create_user(f"bench-{size}-{index}", email=f"bench{index}@example.test",
                                        first_name="Bench", last_name=f"Contributor {index}")
        user_assign_role(user=user, role="contributor")
        data = ContributionData(
            kind="freeform_skill",
            task_description=f"Summarise short passages about subject {index} in one plain sentence.",
            seeds=[Seed(pairs=[QuestionAnswer(
                f"Summarise this passage about subject {index}, part {i}: the committee met twice and agreed "
                f"on a budget after a long debate about priorities {i}.",
                f"The committee agreed on a budget for subject {index} after two meetings, part {i}.")])
                for i in range(1, 6)],
            attribution=Attribution(title=f"Summaries {index}", license="CC-BY-4.0", creators="Bench"),
        )
        draft = contribution_start(owner=user, kind="freeform_skill")
        contribution_update(contribution=draft, actor=user, data=data, title=f"Summaries of subject {index}",
                            description="Five passages and their one-sentence summaries.",
                            parent_path=TARGET_FOLDER, leaf_name=f"bench_summaries_{index:03d}",
                            dco_signed_off=True)
        drafts.append(draft)
    return drafts


def measure_size(size: int, work: Path, sources: dict, submissions: int) -> dict:
    from django.conf import settings

    from taxonomy_app import services
    from taxonomy_app.contributions import contribution_check, contribution_submit
    from taxonomy_app.git import Author, TaxonomyRepository

    tree = work / f"tree-{size}"
    started = time.perf_counter()
    layout = build_taxonomy(tree, sources, size)
    built_s = time.perf_counter() - started
    repo_path = work / f"taxonomy-{size}.git"
    settings.TAXONOMY_REPO = repo_path
    repo = TaxonomyRepository.init_bare(repo_path, default_branch=settings.TAXONOMY_MAIN_BRANCH)
    started = time.perf_counter()
    main_head = repo.import_directory(tree, ref=settings.TAXONOMY_MAIN_BRANCH, message=f"{size} leaves",
                                      author=Author("Bench", "bench@example.test"))
    imported_s = time.perf_counter() - started
    shutil.rmtree(tree)
    started = time.perf_counter()
    services.index_sync(full=True)
    indexed_s = time.perf_counter() - started
    print(f"  {size} leaves: built in {built_s:.1f} s, imported in {imported_s:.1f} s, indexed in {indexed_s:.1f} s",
          flush=True)

    drafts = make_drafts(size, WARMUP + submissions)
    check_ms = []
    for draft in drafts[WARMUP:]:
        started = time.perf_counter()
        contribution_check(contribution=draft)
        check_ms.append((time.perf_counter() - started) * 1000)
    submit_ms = []
    for index, draft in enumerate(drafts):
        started = time.perf_counter()
        submission = contribution_submit(contribution=draft, actor=draft.owner)
        elapsed = (time.perf_counter() - started) * 1000
        if index >= WARMUP:
            submit_ms.append(elapsed)
        assert submission.status == "open", submission.status
    assert repo.resolve(settings.TAXONOMY_MAIN_BRANCH) == main_head, "main moved"
    assert len(repo.branches("contrib/")) == len(drafts)
    return {"layout": layout, "build_s": round(built_s, 2), "import_s": round(imported_s, 2),
            "index_s": round(indexed_s, 2), "submit": summary(submit_ms), "validate_only": summary(check_ms),
            "repo": str(repo_path)}


def naive_baseline(repo_path: Path, work: Path, runs: int) -> dict:
    """One submission done the obvious way: clone, branch, write, add, commit, push."""
    env = {**os.environ, "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.test",
           "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.test", "GIT_TERMINAL_PROMPT": "0"}
    qna = (ROOT / "taxonomy_app" / "sample_taxonomy" / "taxonomy" / "compositional_skills" / "linguistics"
           / "writing" / "declining_invitations" / "qna.yaml").read_bytes()
    timings = []

    def git(*args: str, cwd: Path | None = None) -> None:
        subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)

    for run in range(runs):
        clone = work / f"naive-{run}"
        started = time.perf_counter()
        git("clone", "--quiet", str(repo_path), str(clone))
        git("checkout", "--quiet", "-b", f"naive/{run}-summaries", cwd=clone)
        leaf = clone / TARGET_FOLDER / f"naive_summaries_{run}"
        leaf.mkdir(parents=True)
        (leaf / "qna.yaml").write_bytes(qna)
        (leaf / "attribution.txt").write_text("Title of work: x\nLicense of the work: CC-BY-4.0\n")
        git("add", "--", str(leaf.relative_to(clone)), cwd=clone)
        git("commit", "--quiet", "-m", "Summaries", "--signoff", cwd=clone)
        git("push", "--quiet", "origin", f"naive/{run}-summaries", cwd=clone)
        timings.append((time.perf_counter() - started) * 1000)
        shutil.rmtree(clone)
    return summary(timings)


# ------------------------------------------------------------------------------------------- main


def setup_django(var_dir: Path) -> None:
    var_dir.mkdir(parents=True, exist_ok=True)
    for name in ISOLATED_SETTINGS:
        os.environ.pop(name, None)
        os.environ.pop(f"{name}_FILE", None)
    os.environ.update(DJANGO_SETTINGS_MODULE="labweb.settings", LABWEB_VAR_DIR=str(var_dir),
                      LABWEB_ENV="development", DEBUG="false", LOG_LEVEL="warning")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import logging

    from django.core.management import call_command

    logging.getLogger("taxonomy_app").setLevel(logging.WARNING)
    call_command("migrate", verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--submissions", type=int, default=60)
    parser.add_argument("--baseline-runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="Keep the temporary directory.")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="labweb-submit-bench-"))
    try:
        setup_django(work / "var")
        sources = load_sources()
        print(f"Submit benchmark in {work} ({os.cpu_count()} CPUs, Python {platform.python_version()}, "
              f"{sum(map(len, sources.values()))} source leaves)", flush=True)
        results = {size: measure_size(size, work, sources, args.submissions) for size in args.sizes}
        small, large = min(args.sizes), max(args.sizes)
        print(f"  naive baseline on the {large}-leaf repository ({args.baseline_runs} runs) ...", flush=True)
        baseline = naive_baseline(Path(results[large]["repo"]), work, args.baseline_runs)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    print()
    print(f"{'leaves':>7} {'in folder':>9} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8} {'max ms':>8}"
          f" {'validate p50':>13}")
    for size, result in results.items():
        s = result["submit"]
        print(f"{size:>7} {result['layout']['leaves_in_target_folder']:>9} {s['n']:>4} {s['p50_ms']:>8.1f} "
              f"{s['p95_ms']:>8.1f} {s['mean_ms']:>8.1f} {s['max_ms']:>8.1f} "
              f"{result['validate_only']['p50_ms']:>11.1f} ms")
    ratio_p50 = results[large]["submit"]["p50_ms"] / results[small]["submit"]["p50_ms"]
    ratio_p95 = results[large]["submit"]["p95_ms"] / results[small]["submit"]["p95_ms"]
    p95_large = results[large]["submit"]["p95_ms"]
    print()
    print(f"{large // 1000}k/{small // 1000}k ratio: p50 {ratio_p50:.2f}, p95 {ratio_p95:.2f} "
          f"(target < {TARGET_RATIO}): {'met' if ratio_p50 < TARGET_RATIO else 'MISSED'}")
    print(f"p95 at {large} leaves: {p95_large:.1f} ms (target < {TARGET_P95_MS:.0f} ms): "
          f"{'met' if p95_large < TARGET_P95_MS else 'MISSED'}")
    print(f"naive clone/checkout/commit/push at {large} leaves: p50 {baseline['p50_ms']:.0f} ms, "
          f"p95 {baseline['p95_ms']:.0f} ms ({baseline['n']} runs)")
    speedup = baseline["p50_ms"] / results[large]["submit"]["p50_ms"]

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "sizes": {str(size): {k: v for k, v in result.items() if k != "repo"} for size, result in results.items()},
        "ratio_p50": round(ratio_p50, 3), "ratio_p95": round(ratio_p95, 3), "p95_large_ms": p95_large,
        "baseline": baseline, "baseline_over_submit_p50": round(speedup, 1),
    }, indent=2) + "\n", encoding="utf-8")
    print(f"baseline / submit (p50, {large} leaves): {speedup:.1f}x — contribution_submit is {speedup:.1f} times "
          f"faster than the naive clone-based write")


if __name__ == "__main__":
    main()
