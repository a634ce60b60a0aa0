#!/usr/bin/env python
"""Queue benchmark: the review queue with 10,000 submissions: latency per filter and SQL queries per page.

    .venv/bin/python bench/queue.py [--submissions 10000] [--requests 200] [--keep]

1. Creates an isolated installation in a temporary LABWEB_VAR_DIR (SQLite file database, DEBUG off, nothing read
   from the caller's DATABASE_URL/TAXONOMY_REPO/...) and migrates it programmatically.
2. Writes N submissions directly with bulk_create (no git: the queue reads rows only), spread like a busy
   installation: statuses (35% open, 15% changes requested, 10% approved, 25% merged, 10% closed, 5% still being
   written) with matching triage states, the three kinds, ~120 taxonomy folders under two roots, 400 authors,
   40% unassigned and the rest over 25 triagers (about 1 in 25 assigned to the benchmark's own triager), some
   labels, created over the last two years.
3. Measures in-process through Django's test client, logged in as a triager: the queue page /reviews/ (when the
   page exists), GET /api/reviews/ (token) and the selector itself (review_queue + count + one page +
   review_counts), each over the same filter combinations: R timed requests per combination after a warm-up;
   p50/p95 per combination and the SQL queries of one request (CaptureQueriesContext).
4. N+1 check: the queries of a page of 10 rows and of 50 rows must be the same number (the page's PAGE_SIZE is
   set to each in turn; the API gets ?limit=); a difference is reported as FAILED and the exit status is 1.
5. Prints a table, the target (every combination's p95 < 150 ms; a miss says MISSED, the exit status stays 0)
   and, last, the queue page / baseline ratio, the baseline being the trivial view /bench/ping through the same
   client (and SELECT 1 for reference): the figure to compare between machines. Writes bench/results/queue.json.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is called queue.py: its folder must not shadow the standard library's queue module (which
# concurrent.futures, and so Django, import).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import timedelta  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "queue.json"
TARGET_P95_MS = 150.0
WARMUP = 5
ISOLATED_SETTINGS = (
    "DATABASE_URL", "DATABASE_CONN_MAX_AGE", "REDIS_URL", "CELERY_BROKER_URL", "TAXONOMY_REPO", "DOCUMENTS_REPO",
    "TAXONOMY_MAIN_BRANCH", "DOCUMENTS_BROWSE_URL", "DOCUMENTS_REPO_URL", "MEDIA_ROOT", "CELERY_TASK_ALWAYS_EAGER",
)
ROOTS = {
    "compositional_skills": ["writing", "extraction", "linguistics", "general", "reasoning", "coding", "roleplay",
                             "grounded"],
    "knowledge": ["science", "history", "arts", "technology", "geography", "health", "finance"],
}
SUBFOLDERS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]
STATUSES = [("open", 35), ("changes_requested", 15), ("approved", 10), ("merged", 25), ("closed", 10),
            ("writing", 5)]
OPEN_TRIAGE = [("needed", 60), ("uncertain", 15), ("follow_up", 10), ("approved", 5), ("requested_changes", 10)]
LABEL_SETS = [[], [], [], [], [], [], ["question"], ["help-wanted"], ["legal-hold"], ["dco-requested", "question"]]

# name -> (queue page query, API query, selector keyword arguments)
SCENARIOS = {
    "default (newest first)": ("", "", {}),
    "status=open": ("status=open", "status=open", {"status": "open"}),
    "triage needed, oldest first": ("triage_state=needed&sort=created_at", "triage_state=needed&sort=created_at",
                                    {"triage_state": "needed", "sort": "created_at"}),
    "knowledge under knowledge/science": ("kind=knowledge&path=knowledge/science",
                                          "kind=knowledge&path=knowledge/science",
                                          {"kind": "knowledge", "path_prefix": "knowledge/science"}),
    "assigned to me": ("assignee=me", "assignee=me", {"assignee": "me"}),
    "unassigned open, by title": ("assignee=none&status=open&sort=title", "assignee=none&status=open&sort=title",
                                  {"assignee": "none", "status": "open", "sort": "title"}),
    "older than 90 days": ("age=90", "older_than_days=90", {"older_than_days": 90}),
    "page 100 (deep offset)": ("page=100", "offset=4950", {"offset": 4950}),
}


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


def setup_django(var_dir: Path) -> None:
    var_dir.mkdir(parents=True, exist_ok=True)
    for name in ISOLATED_SETTINGS:
        os.environ.pop(name, None)
        os.environ.pop(f"{name}_FILE", None)
    os.environ.update(DJANGO_SETTINGS_MODULE="labweb.settings", LABWEB_VAR_DIR=str(var_dir),
                      LABWEB_ENV="development", DEBUG="false", LOG_LEVEL="warning", LABWEB_BENCH="1")
    sys.path.insert(0, str(ROOT))
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)  # WhiteNoise, no collectstatic

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# ------------------------------------------------------------------------------------------------ the data


def _weighted(rng: random.Random, table: list[tuple[str, int]]) -> str:
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def populate(total: int, seed: int = 4):
    """The users and `total` submissions; returns (the benchmark's triager, the layout summary)."""
    from django.contrib.auth.models import Group, User
    from django.utils import timezone

    from labweb.roles import ensure_roles
    from taxonomy_app.models import ContributionKind, Submission

    rng = random.Random(seed)
    groups = ensure_roles()
    User.objects.bulk_create([User(username=f"contributor-{i:03}", first_name="Contributor", last_name=str(i),
                                   password="!") for i in range(400)]
                             + [User(username=f"triager-{i:02}", password="!") for i in range(24)]
                             + [User(username="bench-triager", first_name="Bench", last_name="Triager",
                                     password="!")])
    contributors = list(User.objects.filter(username__startswith="contributor-"))
    triagers = list(User.objects.filter(username__startswith="triager-")) + [
        User.objects.get(username="bench-triager")]
    Through = User.groups.through
    Through.objects.bulk_create(
        [Through(user_id=u.pk, group_id=groups["contributor"].pk) for u in contributors]
        + [Through(user_id=u.pk, group_id=groups["triager"].pk) for u in triagers])
    assert Group.objects.get(name="triager").user_set.count() == len(triagers)

    folders = [f"{root}/{category}/{sub}" for root, categories in ROOTS.items() for category in categories
               for sub in SUBFOLDERS]
    now = timezone.now()
    created_field, updated_field = (Submission._meta.get_field("created_at"),
                                    Submission._meta.get_field("updated_at"))
    created_field.auto_now_add = updated_field.auto_now = False  # keep the spread-out dates given below
    try:
        rows = []
        for i in range(total):
            status = _weighted(rng, STATUSES)
            if status in ("open", "writing"):
                triage = _weighted(rng, OPEN_TRIAGE) if status == "open" else "needed"
            else:
                triage = {"changes_requested": "requested_changes", "approved": "approved", "merged": "approved",
                          "closed": rng.choice(["rejected", "rejected", "needed"])}[status]
            folder = rng.choice(folders)
            kind = (ContributionKind.KNOWLEDGE if folder.startswith("knowledge/")
                    else rng.choice([ContributionKind.FREEFORM_SKILL, ContributionKind.GROUNDED_SKILL]))
            assignee = None if rng.random() < 0.4 else rng.choice(triagers)
            created = now - timedelta(days=rng.uniform(0, 730))
            rows.append(Submission(
                title=f"{rng.choice(['Add', 'Extend', 'Fix', 'More'])} {folder.rsplit('/', 2)[-2]} examples {i:05}",
                description="Benchmark submission.", author=rng.choice(contributors), kind=kind,
                taxonomy_path=f"{folder}/leaf_{i:05}", branch=f"contrib/{i + 1}-leaf-{i:05}",
                base_commit="a" * 40, head_commit=f"{i:040x}", status=status, triage_state=triage,
                assignee=assignee, labels=rng.choice(LABEL_SETS), created_at=created,
                updated_at=created + timedelta(days=rng.uniform(0, 30))))
        Submission.objects.bulk_create(rows, batch_size=2000)
    finally:
        created_field.auto_now_add = updated_field.auto_now = True
    me = User.objects.get(username="bench-triager")
    return me, {"submissions": total, "folders": len(folders), "authors": len(contributors),
                "triagers": len(triagers),
                "assigned_to_me": Submission.objects.filter(assignee=me).exclude(status="writing").count()}


# ----------------------------------------------------------------------------------------------- measuring


def timed(call, requests: int) -> list[float]:
    for _ in range(WARMUP):
        call()
    values = []
    for _ in range(requests):
        start = time.perf_counter()
        call()
        values.append((time.perf_counter() - start) * 1000)
    return values


def queries_of(call) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def get(client, url: str, **extra):
    def call():
        response = client.get(url, **extra)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}: {response.content[:300]!r}")
        return response

    return call


def page_exists(client) -> bool:
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("reviews:queue")
    except NoReverseMatch:
        return False
    return client.get("/reviews/").status_code == 200


def selector_call(me, kwargs: dict):
    from taxonomy_app.review_selectors import review_counts, review_queue

    kwargs = dict(kwargs)
    offset = kwargs.pop("offset", 0)

    def call():
        queryset = review_queue(actor=me, **kwargs)
        queryset.count()
        list(queryset[offset:offset + 50])
        review_counts()

    return call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="Keep the temporary directory.")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="labweb-queue-bench-"))
    try:
        setup_django(work / "var")
        from django.db import connection
        from django.test import Client
        from rest_framework.authtoken.models import Token

        print(f"Queue benchmark in {work} ({os.cpu_count()} CPUs, Python {platform.python_version()}, "
              f"{connection.vendor})", flush=True)
        start = time.perf_counter()
        me, layout = populate(args.submissions)
        print(f"  {args.submissions} submissions written in {time.perf_counter() - start:.1f} s "
              f"({layout['assigned_to_me']} assigned to the benchmark's triager)", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

        browser = Client()
        browser.force_login(me)
        api = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=me).key}")
        has_page = page_exists(browser)
        if not has_page:
            print("  /reviews/ does not exist yet: measuring the API and the selector only", flush=True)

        targets = {}
        if has_page:
            targets["page /reviews/"] = lambda q: get(browser, f"/reviews/?{q[0]}")
        targets["GET /api/reviews/"] = lambda q: get(api, f"/api/reviews/?{q[1]}")
        targets["selector"] = lambda q: selector_call(me, q[2])

        results: dict[str, dict] = {}
        for target, make in targets.items():
            results[target] = {}
            for name, query in SCENARIOS.items():
                call = make(query)
                stats = summary(timed(call, args.requests))
                queries = queries_of(call)  # after the warm-up: the permission cache is filled once per user
                results[target][name] = {**stats, "queries": queries}
                print(f"  {target:<18} {name:<36} p50 {stats['p50_ms']:6.1f} ms  p95 {stats['p95_ms']:6.1f} ms  "
                      f"{queries} queries", flush=True)

        # N+1: the same number of queries for a page of 10 rows and of 50.
        n_plus_one = {}
        if has_page:
            from taxonomy_app import review_views

            saved = review_views.PAGE_SIZE
            try:
                counts = []
                for size in (10, 50):
                    review_views.PAGE_SIZE = size
                    counts.append(queries_of(get(browser, "/reviews/")))
            finally:
                review_views.PAGE_SIZE = saved
            n_plus_one["page /reviews/"] = counts
        n_plus_one["GET /api/reviews/"] = [queries_of(get(api, f"/api/reviews/?limit={size}")) for size in (10, 50)]

        ping = get(browser, "/bench/ping")
        baseline = {"ping": summary(timed(ping, args.requests))}

        def select_one():
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()

        baseline["select_1"] = summary(timed(select_one, args.requests))
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    print()
    print(f"{'':<18} {'filters':<36} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8}")
    for target, scenarios in results.items():
        for name, s in scenarios.items():
            print(f"{target:<18} {name:<36} {s['p50_ms']:>8.1f} {s['p95_ms']:>8.1f} {s['max_ms']:>8.1f} "
                  f"{s['queries']:>8}")
    print()
    failed = False
    for target, (ten, fifty) in n_plus_one.items():
        ok = ten == fifty
        failed |= not ok
        print(f"N+1 check {target}: {ten} queries for 10 rows, {fifty} for 50: {'ok' if ok else 'FAILED'}")
    served = [t for t in results if t != "selector"]
    worst = max((s["p95_ms"], t, name) for t in served for name, s in results[t].items())
    print(f"worst p95 over HTTP: {worst[0]:.1f} ms ({worst[1]}, {worst[2]}) (target < {TARGET_P95_MS:.0f} ms): "
          f"{'met' if worst[0] < TARGET_P95_MS else 'MISSED'}")
    main_target = served[0]
    default = results[main_target]["default (newest first)"]
    ratio = default["p95_ms"] / baseline["ping"]["p95_ms"]

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "layout": layout, "requests": args.requests, "results": results, "n_plus_one": n_plus_one,
        "baseline": baseline, "worst_p95_ms": worst[0], "default_over_ping_p95": round(ratio, 2),
    }, indent=2) + "\n", encoding="utf-8")
    print(f"baseline: /bench/ping p50 {baseline['ping']['p50_ms']:.2f} ms, p95 {baseline['ping']['p95_ms']:.2f} ms; "
          f"SELECT 1 p95 {baseline['select_1']['p95_ms']:.3f} ms")
    print(f"{main_target} (default filters) p95 / /bench/ping p95: {ratio:.1f}x")
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
