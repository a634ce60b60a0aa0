#!/usr/bin/env python
"""Browse benchmark: tree / leaf / search latency of a real server on a 10,000-leaf taxonomy.

    .venv/bin/python bench/browse.py [--leaves 10000] [--requests 400] [--clients 8] [--keep]

1. Builds a taxonomy of N leaves from the real qna.yaml (+ attribution.txt) files of
   ../shared/corpus/taxonomy-2024 and taxonomy-2025 (compositional_skills/ and knowledge/), spread over
   2 roots -> 12 categories -> 40 subcategories -> leaf_00001...; every copy gets "copy <n>" appended to its
   task description and first question, so pages and search results differ.
2. Creates an isolated installation in a temporary LABWEB_VAR_DIR (SQLite, DEBUG off) and runs
   `manage.py migrate` and `manage.py taxonomy import <dir>` (one commit + full index), timing the import.
3. Starts gunicorn (labweb.wsgi, 2 workers x 4 threads) on 127.0.0.1:<free port> with LABWEB_BENCH=1, which
   also serves the trivial view /bench/ping as the baseline.
4. Warms every endpoint, then sends a fixed number of requests per endpoint from C concurrent clients, in
   rounds over all endpoints (so a burst of load from elsewhere on a shared machine spreads over all of them);
   each request on a new connection, as from a reverse proxy (--keep-alive keeps one per client, which pins
   it to one gunicorn worker). p50/p95/p99 latency and throughput. Prints a table, the slowest search
   queries, the targets (tree and leaf p95 < 100 ms, search p95 < 200 ms; a miss says MISSED, the exit status
   stays 0) and, last, the leaf/baseline ratio, the figure to compare between machines. Writes
   bench/results/browse.json.

Only 127.0.0.1 is loaded; the server is always stopped and the temporary directory removed (unless --keep).
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import platform
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("LABWEB_CORPUS_DIR", ROOT.parent / "shared" / "corpus"))
RESULTS = ROOT / "bench" / "results" / "browse.json"
SOURCE_TAXONOMIES = ("taxonomy-2024", "taxonomy-2025")
MARKER = "labweb-browse-bench.json"

# roots -> 12 categories -> 40 subcategories (names from the real taxonomy where it has them).
LAYOUT: dict[str, dict[str, list[str]]] = {
    "compositional_skills": {
        "writing": ["freeform", "grounded", "poetry"],
        "extraction": ["invoice", "receipt", "email", "technical_paper"],
        "STEM": ["math", "science", "engineering"],
        "roleplay": ["explain_like_you_are", "explain_like_i_am", "characters"],
        "linguistics": ["summarization", "synonyms", "rhyming_words", "organize_lists"],
        "general": ["tables", "formatting", "planning", "etiquette"],
        "grounded": ["linguistics", "reading_comprehension", "rewriting"],
        "reasoning": ["logical", "temporal", "common_sense"],
        "coding": ["python", "sql", "shell"],
    },
    "knowledge": {
        "science": ["animals", "astronomy", "chemistry", "biology"],
        "history": ["textbook", "british_history", "technology"],
        "arts": ["music", "literature", "film"],
    },
}

# Words people search for: common ones (thousands of matches), medium, rare, several words, prefixes (the
# page searches as the user types, the last word as a prefix).
SEARCH_QUERIES = [
    "table", "email", "summary", "write", "the", "question",
    "invoice", "receipt", "markdown", "lease", "history", "climate",
    "haiku", "chickadee", "shakespeare", "python", "synonym",
    "extract table", "write a poem", "birds winter",
    "summ", "recei", "ta",
]

TARGETS_MS = {"tree": 100.0, "leaf": 100.0, "search": 200.0}

# Settings that must not leak from the caller's environment into the isolated installation.
ISOLATED_SETTINGS = (
    "DATABASE_URL", "DATABASE_CONN_MAX_AGE", "REDIS_URL", "CELERY_BROKER_URL", "TAXONOMY_REPO",
    "DOCUMENTS_REPO",
    "TAXONOMY_MAIN_BRANCH", "DOCUMENTS_BROWSE_URL", "MEDIA_ROOT", "SECRET_KEY", "CSRF_TRUSTED_ORIGINS",
    "CELERY_TASK_ALWAYS_EAGER", "SECURE_SSL_REDIRECT",
)


# ------------------------------------------------------------------------------------------- the taxonomy

@dataclass
class Source:
    label: str
    qna: str
    attribution: bytes | None
    points: list[int] | None = None


def load_sources(corpus: Path) -> dict[str, list[Source]]:
    sources: dict[str, list[Source]] = {"compositional_skills": [], "knowledge": []}
    for taxonomy in SOURCE_TAXONOMIES:
        for root in sources:
            base = corpus / taxonomy / root
            for qna in sorted(base.rglob("qna.yaml")):
                attribution = qna.with_name("attribution.txt")
                sources[root].append(Source(
                    label=f"{taxonomy}/{qna.parent.relative_to(corpus / taxonomy)}",
                    qna=qna.read_text(encoding="utf-8"),
                    attribution=attribution.read_bytes() if attribution.is_file() else None,
                ))
                sources[root][-1].points = insertion_points(sources[root][-1].qna)
    for root, found in sources.items():
        if not found:
            raise SystemExit(f"no {root} qna.yaml files under {corpus}/{{{','.join(SOURCE_TAXONOMIES)}}}")
    return sources


def _value_node(mapping: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(mapping, yaml.MappingNode):
        return None
    for key_node, value_node in mapping.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value_node
    return None


def _first_question(root: yaml.Node) -> yaml.Node | None:
    seeds = _value_node(root, "seed_examples")
    if not isinstance(seeds, yaml.SequenceNode) or not seeds.value:
        return None
    first = seeds.value[0]
    pairs = _value_node(first, "questions_and_answers")
    if isinstance(pairs, yaml.SequenceNode) and pairs.value:
        return _value_node(pairs.value[0], "question")
    return _value_node(first, "question")


def _insertion_point(text: str, node: yaml.ScalarNode) -> int | None:
    """Where to insert words so that they end up at the end of (the first line of) this scalar's value."""
    start, end = node.start_mark.index, node.end_mark.index
    if node.style in ("'", '"'):
        return end - 1 if text[end - 1] == node.style else None
    if node.style is None:
        return end if end > start else None
    # A block scalar (| or >): the end of its first non-empty content line.
    position = text.find("\n", start)
    while position != -1 and position < end:
        line_end = text.find("\n", position + 1)
        line_end = len(text) if line_end == -1 else line_end
        if text[position + 1: line_end].strip():
            return line_end
        position = line_end if line_end < end else -1
    return None


def _question_holder(data) -> dict | None:
    seeds = data.get("seed_examples") if isinstance(data, dict) else None
    if not isinstance(seeds, list) or not seeds or not isinstance(seeds[0], dict):
        return None
    pairs = seeds[0].get("questions_and_answers")
    return pairs[0] if isinstance(pairs, list) and pairs and isinstance(pairs[0], dict) else seeds[0]


def _description_key(data) -> str:
    """task_description, or document_outline for knowledge v3 files, which have none."""
    return "document_outline" if isinstance(data, dict) and "task_description" not in data \
        and "document_outline" in data else "task_description"


def _has_token(data, token: str) -> bool:
    holder = _question_holder(data)
    return (isinstance(data, dict) and token in str(data.get(_description_key(data), ""))
            and holder is not None and token in str(holder.get("question", "")))


def insertion_points(text: str) -> list[int] | None:
    """Where to splice a token into this file (end of the description and of the first question), or None
    when it cannot be done in place. The same for every copy of a file, so computed once per source."""
    probe = "copy 99999"
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    targets = [n for n in (_value_node(root, _description_key(data)), _first_question(root))
               if isinstance(n, yaml.ScalarNode)]
    points = sorted({p for p in (_insertion_point(text, n) for n in targets) if p is not None}, reverse=True)
    if len(points) != 2:
        return None
    try:
        return points if _has_token(yaml.safe_load(splice(text, points, probe)), probe) else None
    except yaml.YAMLError:
        return None


def splice(text: str, points: list[int], token: str) -> str:
    for position in points:  # from the end, so earlier positions stay valid
        text = text[:position] + f" {token}" + text[position:]
    return text


def vary(text: str, token: str, points: list[int] | None | bool = False) -> str:
    """Append `token` to the task description (or document outline) and the first question, keeping the
    file's own layout; re-dumps the parsed YAML when the text cannot be edited in place safely."""
    if points is False:
        points = insertion_points(text)
    if points:
        return splice(text, points, token)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return text  # an unreadable file stays as it is (the index keeps it as a failing leaf)
    if not isinstance(data, dict):
        return text
    key = _description_key(data)
    if isinstance(data.get(key), str):
        data[key] = data[key].rstrip() + f" {token}"
    holder = _question_holder(data)
    if holder is not None and isinstance(holder.get("question"), str):
        holder["question"] = holder["question"].rstrip() + f" {token}"
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


@dataclass
class BuiltTaxonomy:
    directory: Path
    leaves: list[str]
    categories: list[str]
    subcategories: list[str]
    files: int
    bytes: int
    sources: dict[str, int]


def build_taxonomy(target: Path, sources: dict[str, list[Source]], leaf_total: int,
                   seed: int) -> BuiltTaxonomy:
    rng = random.Random(seed)
    subcategories = [(root, f"{root}/{cat}/{sub}") for root, cats in LAYOUT.items()
                     for cat, subs in cats.items() for sub in subs]
    # Uneven but deterministic folder sizes (0.5x to 1.5x the mean), like a real taxonomy.
    weights = [rng.uniform(0.5, 1.5) for _ in subcategories]
    scale = leaf_total / sum(weights)
    counts = [max(1, int(w * scale)) for w in weights]
    for i in itertools.cycle(range(len(counts))):
        if sum(counts) == leaf_total:
            break
        counts[i] += 1 if sum(counts) < leaf_total else (-1 if counts[i] > 1 else 0)
    leaves, files, size = [], 0, 0
    next_source = {root: 0 for root in sources}
    number = 0
    for (root, folder), count in zip(subcategories, counts):
        for _ in range(count):
            number += 1
            pool = sources[root]
            source = pool[next_source[root] % len(pool)]
            next_source[root] += 1
            leaf = f"{folder}/leaf_{number:05d}"
            leaf_dir = target / leaf
            leaf_dir.mkdir(parents=True)
            qna = vary(source.qna, f"copy {number}", source.points).encode("utf-8")
            (leaf_dir / "qna.yaml").write_bytes(qna)
            files, size = files + 1, size + len(qna)
            if source.attribution is not None:
                (leaf_dir / "attribution.txt").write_bytes(source.attribution)
                files, size = files + 1, size + len(source.attribution)
            leaves.append(leaf)
    categories = [f"{root}/{cat}" for root, cats in LAYOUT.items() for cat in cats]
    return BuiltTaxonomy(target, leaves, categories, [f for _, f in subcategories], files, size,
                         {root: len(found) for root, found in sources.items()})


# ------------------------------------------------------------------------------------------ the installation

def installation_env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ISOLATED_SETTINGS and not (k.endswith("_FILE") and k[:-5] in ISOLATED_SETTINGS)}
    env.update({
        "DJANGO_SETTINGS_MODULE": "labweb.settings",
        "LABWEB_VAR_DIR": str(var_dir),
        "LABWEB_ENV": "development",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LABWEB_BENCH": "1",
        "LOG_LEVEL": "warning",
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    return env


def manage(env: dict[str, str], *args: str) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed ({done.returncode}):\n"
                         f"{done.stdout}\n{done.stderr}")
    return elapsed, (done.stdout + done.stderr).strip()


def db_stats(var_dir: Path) -> dict:
    db = var_dir / "labweb.sqlite3"
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        nodes = dict(conn.execute(
            "SELECT kind, count(*) FROM taxonomy_app_taxonomynode GROUP BY kind").fetchall())
        items = conn.execute("SELECT count(*) FROM taxonomy_app_searchitem").fetchone()[0]
        invalid = conn.execute(
            "SELECT count(*) FROM taxonomy_app_taxonomynode WHERE is_valid = 0").fetchone()[0]
    return {"nodes": nodes, "search_items": items, "invalid_leaves": invalid,
            "db_bytes": sum(p.stat().st_size for p in var_dir.glob("labweb.sqlite3*"))}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, env: dict[str, str], workers: int, threads: int, log_path: Path) -> None:
        self.port = free_port()
        self.log = open(log_path, "wb")
        self.log_path = log_path
        self.cmd = [sys.executable, "-m", "gunicorn", "labweb.wsgi:application",
                    "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers), "--threads", str(threads),
                    "--worker-class", "gthread", "--keep-alive", "30", "--log-level", "warning",
                    "--chdir", str(ROOT)]
        self.proc = subprocess.Popen(self.cmd, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited ({self.proc.returncode}):\n"
                                 f"{self.log_path.read_text()[-3000:]}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/bench/ping")
                response = conn.getresponse()
                response.read()
                conn.close()
                if response.status == 200:
                    return
                raise SystemExit(f"/bench/ping answered {response.status}; is LABWEB_BENCH honoured?")
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"gunicorn did not answer within {timeout:.0f} s:\n"
                         f"{self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # our own session: gunicorn's master and its workers
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        self.log.close()


# -------------------------------------------------------------------------------------------- the load

@dataclass
class Endpoint:
    key: str
    label: str
    urls: list[str]            # one per request (warm-up first), cycled if shorter
    headers: dict[str, str] = field(default_factory=dict)
    target_ms: float | None = None
    target_name: str = ""


@dataclass
class PhaseResult:
    latencies: list[float]
    errors: list[str]
    wall_s: float
    bytes: int
    by_url: list[tuple[str, float]] = field(default_factory=list)


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * pct // 100))
    return sorted_values[int(rank) - 1]


def run_phase(port: int, urls: list[str], headers: dict[str, str], clients: int,
              keep_alive: bool) -> PhaseResult:
    """Send `urls` from `clients` threads at once. Without keep-alive every request comes on a new connection,
    as from a reverse proxy (nginx talks HTTP/1.0 to its upstream by default); with keep-alive each client's
    requests stay on the gunicorn worker that accepted its connection."""
    counter = itertools.count()
    latencies: list[float] = []
    errors: list[str] = []
    sizes: list[int] = []
    by_url: list[tuple[str, float]] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    request_headers = {**headers, "Connection": "keep-alive" if keep_alive else "close"}

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine, my_urls, my_errors, my_bytes = [], [], [], 0
        start.wait()
        while (i := next(counter)) < len(urls):
            response = None
            for attempt in (1, 2):  # one reconnect if the server closed an idle keep-alive connection
                try:
                    began = time.perf_counter()
                    conn.request("GET", urls[i], headers=request_headers)
                    response = conn.getresponse()
                    body = response.read()
                    elapsed = time.perf_counter() - began
                    break
                except (http.client.HTTPException, OSError) as exc:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    response = None
                    if attempt == 2:
                        my_errors.append(f"{urls[i]}: {exc!r}")
            if not keep_alive:
                conn.close()  # the next request connects again (inside its timing, like a proxy would)
            if response is None:
                continue
            if response.status != 200:
                my_errors.append(f"{urls[i]}: HTTP {response.status}")
                continue
            mine.append(elapsed)
            my_urls.append((urls[i], elapsed))
            my_bytes += len(body)
        conn.close()
        with lock:
            latencies.extend(mine)
            by_url.extend(my_urls)
            errors.extend(my_errors)
            sizes.append(my_bytes)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return PhaseResult(sorted(latencies), errors, time.perf_counter() - began, sum(sizes), by_url)


def fetch(port: int, url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", url, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def endpoints(built: BuiltTaxonomy, count: int, rng: random.Random) -> list[Endpoint]:
    q = urllib.parse.quote
    hx = {"HX-Request": "true"}
    leaves = [rng.choice(built.leaves) for _ in range(count)]
    history_leaves = [rng.choice(built.leaves) for _ in range(count)]
    search = [SEARCH_QUERIES[i % len(SEARCH_QUERIES)] for i in range(count)]
    api_search = [SEARCH_QUERIES[(i + 7) % len(SEARCH_QUERIES)] for i in range(count)]
    categories = built.categories
    subcategories = [rng.choice(built.subcategories) for _ in range(count)]
    return [
        Endpoint("baseline", "baseline /bench/ping", ["/bench/ping"]),
        Endpoint("tree", "tree page /taxonomy/", ["/taxonomy/"], target_ms=TARGETS_MS["tree"],
                 target_name="tree"),
        Endpoint("children", "children fragment (category, HX)",
                 [f"/taxonomy/children/?path={q(c)}" for c in categories], hx),
        Endpoint("children_sub", "children fragment (subcategory, HX)",
                 [f"/taxonomy/children/?path={q(s)}" for s in subcategories], hx),
        Endpoint("category", "category page /taxonomy/node/<cat>",
                 [f"/taxonomy/node/{c}" for c in categories]),
        Endpoint("leaf", "leaf page /taxonomy/node/<leaf>", [f"/taxonomy/node/{leaf}" for leaf in leaves],
                 target_ms=TARGETS_MS["leaf"], target_name="leaf"),
        Endpoint("history", "leaf history fragment (git log, HX)",
                 [f"/taxonomy/history/{leaf}" for leaf in history_leaves], hx),
        Endpoint("search", "search page /taxonomy/search/?q=",
                 [f"/taxonomy/search/?q={q(w)}" for w in search], target_ms=TARGETS_MS["search"],
                 target_name="search"),
        Endpoint("search_hx", "search results fragment (HX, as typed)",
                 [f"/taxonomy/search/?q={q(w)}" for w in search], hx),
        Endpoint("api_search", "API /api/taxonomy/search/?q=",
                 [f"/api/taxonomy/search/?q={q(w)}" for w in api_search],
                 target_ms=TARGETS_MS["search"], target_name="api search"),
    ]


def sanity_checks(port: int, built: BuiltTaxonomy) -> dict:
    """Check that pages show the varied copies and collect how many matches each search word has."""
    leaf = built.leaves[len(built.leaves) // 2]
    status, body = fetch(port, f"/taxonomy/node/{leaf}")
    number = int(leaf.rsplit("_", 1)[1])
    if status != 200 or f"copy {number}".encode() not in body:
        raise SystemExit(f"leaf page {leaf} ({status}) does not show 'copy {number}'")
    totals = {}
    for word in SEARCH_QUERIES:
        status, body = fetch(port, f"/api/taxonomy/search/?q={urllib.parse.quote(word)}&limit=1")
        if status != 200:
            raise SystemExit(f"API search for {word!r} answered {status}")
        totals[word] = json.loads(body)["total"]
    status, body = fetch(port, f"/api/taxonomy/search/?q={urllib.parse.quote(f'copy {number}')}&limit=5")
    if status != 200 or not any(h["path"] == leaf for h in json.loads(body)["hits"]):
        raise SystemExit(f"searching 'copy {number}' does not find {leaf}")
    return totals


# -------------------------------------------------------------------------------------------- main

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leaves", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=400, help="timed requests per endpoint (all clients)")
    parser.add_argument("--warmup", type=int, default=50, help="untimed requests per endpoint first")
    parser.add_argument("--rounds", type=int, default=4,
                        help="the timed requests are sent in this many rounds over all endpoints")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--keep-alive", action="store_true",
                        help="keep each client's connection open (pins it to one gunicorn worker) instead "
                             "of one connection per request as from a reverse proxy")
    parser.add_argument("--seed", type=int, default=20250)
    parser.add_argument("--only", help="comma-separated endpoint keys to measure (baseline is always kept)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory and print its path")
    parser.add_argument("--reuse", type=Path, help="a directory kept by --keep: skip building and importing")
    args = parser.parse_args()

    owned_tmp: Path | None = None
    if args.reuse:
        work = args.reuse.resolve()
        marker = json.loads((work / MARKER).read_text())
    else:
        owned_tmp = work = Path(tempfile.mkdtemp(prefix="labweb-browse-bench-"))
        marker = None
    server: Server | None = None
    try:
        var_dir, source_dir = work / "var", work / "taxonomy"
        env = installation_env(var_dir)
        if marker is None:
            print(f"building a {args.leaves:,}-leaf taxonomy from {CORPUS} ...", flush=True)
            began = time.perf_counter()
            sources = load_sources(CORPUS)
            built = build_taxonomy(source_dir, sources, args.leaves, args.seed)
            build_s = time.perf_counter() - began
            print(f"  {len(built.leaves):,} leaves from {built.sources} source leaves, "
                  f"{built.files:,} files, "
                  f"{built.bytes / 1e6:.1f} MB, in {build_s:.1f} s", flush=True)
            var_dir.mkdir()
            migrate_s, _ = manage(env, "migrate", "--noinput", "-v", "0")
            print(f"  migrate: {migrate_s:.1f} s; importing (commit + full index) ...", flush=True)
            import_s, import_out = manage(env, "taxonomy", "import", str(source_dir))
            last_line = import_out.splitlines()[-1] if import_out else ""
            print(f"  import: {import_s:.1f} s ({last_line})", flush=True)
            marker = {"leaves": built.leaves, "categories": built.categories,
                      "subcategories": built.subcategories, "files": built.files, "bytes": built.bytes,
                      "sources": built.sources, "build_s": build_s, "migrate_s": migrate_s,
                      "import_s": import_s, "import_output": import_out}
            (work / MARKER).write_text(json.dumps(marker))
        else:
            manage(env, "migrate", "--noinput", "-v", "0")  # picks up new migrations
            print(f"reusing {work} (import took {marker['import_s']:.1f} s when built)", flush=True)
        built = BuiltTaxonomy(source_dir, marker["leaves"], marker["categories"], marker["subcategories"],
                              marker["files"], marker["bytes"], marker["sources"])
        stats = db_stats(var_dir)
        print(f"  index: {stats['nodes']}, {stats['search_items']:,} search items, "
              f"{stats['invalid_leaves']:,} leaves failing CI checks, "
              f"database {stats['db_bytes'] / 1e6:.0f} MB",
              flush=True)

        server = Server(env, args.workers, args.threads, work / "gunicorn.log")
        server.wait_ready()
        print(f"gunicorn on 127.0.0.1:{server.port} ({args.workers} workers x {args.threads} threads); "
              f"{args.clients} clients ({'keep-alive' if args.keep_alive else 'a connection per request'}), "
              f"{args.warmup} warm-up + {args.requests} timed requests per endpoint",
              flush=True)
        search_totals = sanity_checks(server.port, built)

        rng = random.Random(args.seed)
        plan = endpoints(built, args.warmup + args.requests, rng)
        if args.only:
            wanted = set(args.only.split(",")) | {"baseline"}
            plan = [e for e in plan if e.key in wanted]
        load_before = os.getloadavg()
        if load_before[0] > (os.cpu_count() or 1) * 0.5:
            print(f"  note: the machine is busy (load average {load_before[0]:.1f} on "
                  f"{os.cpu_count()} CPUs); "
                  "absolute latencies are inflated, compare the ratios to the baseline", flush=True)
        # Warm every endpoint, then measure in rounds (each round a slice of every endpoint's requests), so
        # that a burst of load from elsewhere on the machine spreads over all endpoints instead of one.
        results: dict[str, list[PhaseResult]] = {e.key: [] for e in plan}
        url_lists = {e.key: list(itertools.islice(itertools.cycle(e.urls), args.warmup + args.requests))
                     for e in plan}
        for endpoint in plan:
            run_phase(server.port, url_lists[endpoint.key][:args.warmup], endpoint.headers, args.clients,
                      args.keep_alive)
        rounds = max(1, min(args.rounds, args.requests))
        for round_index in range(rounds):
            lo = args.warmup + args.requests * round_index // rounds
            hi = args.warmup + args.requests * (round_index + 1) // rounds
            for endpoint in plan:
                results[endpoint.key].append(run_phase(server.port, url_lists[endpoint.key][lo:hi],
                                                       endpoint.headers, args.clients, args.keep_alive))
            print(f"  round {round_index + 1}/{rounds} done", flush=True)
        load_after = os.getloadavg()
        by_query: dict[str, list[float]] = {}
        for phase in results.get("search", []):
            for url, elapsed in phase.by_url:
                word = urllib.parse.unquote(url.split("q=", 1)[1])
                by_query.setdefault(word, []).append(elapsed * 1000)
        search_by_query = {w: {"n": len(v), "p50_ms": percentile(sorted(v), 50), "max_ms": max(v)}
                           for w, v in by_query.items()}
        rows = {}
        for endpoint in plan:
            phases = results[endpoint.key]
            lat = sorted(x for phase in phases for x in phase.latencies)
            errors = [e for phase in phases for e in phase.errors]
            wall = sum(phase.wall_s for phase in phases)
            p95 = percentile(lat, 95) * 1000
            rows[endpoint.key] = {
                "label": endpoint.label,
                "requests": args.requests,
                "ok": len(lat),
                "errors": len(errors),
                "error_samples": errors[:5],
                "p50_ms": percentile(lat, 50) * 1000,
                "p95_ms": p95,
                "p99_ms": percentile(lat, 99) * 1000,
                "max_ms": (lat[-1] if lat else float("nan")) * 1000,
                "mean_ms": (sum(lat) / len(lat) if lat else float("nan")) * 1000,
                "throughput_rps": len(lat) / wall if wall else 0.0,
                "mean_kb": sum(phase.bytes for phase in phases) / max(1, len(lat)) / 1024,
                "target_p95_ms": endpoint.target_ms,
                "met": None if endpoint.target_ms is None else (p95 < endpoint.target_ms and not errors),
            }
    finally:
        if server is not None:
            server.stop()
        if owned_tmp is not None:
            if args.keep:
                print(f"kept {owned_tmp} (rerun with --reuse {owned_tmp})")
            else:
                shutil.rmtree(owned_tmp, ignore_errors=True)

    # ------------------------------------------------------------------ report
    print()
    header = (f"{'endpoint':<40} {'n':>5} {'err':>4} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
              f"{'max ms':>8} {'req/s':>7} {'KB':>6}  target")
    print(header)
    print("-" * len(header))
    for key, row in rows.items():
        target = "" if row["target_p95_ms"] is None else (
            f"p95 < {row['target_p95_ms']:.0f}: " + ("met" if row["met"] else "MISSED"))
        print(f"{row['label']:<40} {row['ok']:>5} {row['errors']:>4} {row['p50_ms']:>8.1f} "
              f"{row['p95_ms']:>8.1f} {row['p99_ms']:>8.1f} {row['max_ms']:>8.1f} "
              f"{row['throughput_rps']:>7.1f} {row['mean_kb']:>6.1f}  {target}")
        for sample in row["error_samples"]:
            print(f"    error: {sample}")
    print()
    print(f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after the measurements "
          f"({os.cpu_count()} CPUs, shared with the client)")
    if search_by_query:
        slowest = sorted(search_by_query.items(), key=lambda kv: -kv[1]["p50_ms"])
        print("search page p50 by query, slowest first: " + ", ".join(
            f"{w!r} {v['p50_ms']:.0f} ms" for w, v in slowest))
    print("search matches per query: " + ", ".join(f"{w!r} {n:,}" for w, n in search_totals.items()))
    print(f"import of {len(built.leaves):,} leaves ({built.files:,} files, {built.bytes / 1e6:.1f} MB; "
          f"commit + full index, incl. process start): {marker['import_s']:.1f} s")

    missed = [key for key, row in rows.items() if row["met"] is False]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "benchmark": "browse",
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "sqlite": sqlite3.sqlite_version, "platform": platform.platform()},
        "config": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "taxonomy": {"leaves": len(built.leaves), "files": built.files, "bytes": built.bytes,
                     "categories": len(built.categories), "subcategories": len(built.subcategories),
                     "source_leaves": built.sources},
        "index": stats,
        "import_s": marker["import_s"], "migrate_s": marker["migrate_s"], "build_s": marker["build_s"],
        "search_totals": search_totals,
        "search_page_by_query": search_by_query,
        "load_average": {"before": load_before, "after": load_after},
        "endpoints": rows,
        "missed": missed,
    }, indent=2, default=str) + "\n")
    print(f"results written to {RESULTS.relative_to(ROOT)}")

    def figure(key: str) -> str:
        row = rows.get(key)
        if row is None:
            return f"{key} not measured"
        verdict = "" if row["met"] else ", MISSED"
        return f"{key} p95 {row['p95_ms']:.1f} ms (target < {row['target_p95_ms']:.0f}{verdict})"

    ratio = (rows["leaf"]["p95_ms"] / rows["baseline"]["p95_ms"]) if "leaf" in rows else float("nan")
    verdict = "all targets met" if not missed else "MISSED: " + ", ".join(missed)
    print(f"ratio leaf p95 / baseline p95: {ratio:.1f}x; {figure('tree')}, {figure('leaf')}, "
          f"{figure('search')} [{verdict}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
