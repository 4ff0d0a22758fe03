"""Page benchmark: every key page, in one run, at N subscribers (see bench/README.md).

    python bench/run.py --subscribers 10000        # make bench N=10000

Uses the database of the current settings (DEV_DATABASE_NAME / DATABASE_URL); generates
the scale data first unless that database already holds exactly what the generator made
for N subscribers. Then, in this process, through Django's test Client with the real
middleware and DEBUG off, signed in as the role that uses each page (bench/pages.py):
warm-up requests, then timed ones with varied parameters, the queries of each request,
the slowest SQL statement re-timed alone (the floor), and one request's peak Python
memory. Prints one table and writes bench/results/<date>-N<n>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import time
import tracemalloc
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")

BUDGET_MS = 50.0  # p95 of every HTML page at N = 1,000,000
MAX_QUERIES = 15  # per request, and the same at every N
MAX_SCALING = 1.5  # p95(N=1,000,000) / p95(N=10,000)
SIZES = (10_000, 1_000_000)  # the two sizes the scaling ratio compares
ROLE_USERS = {"clerk": "clerk", "agent": "agent", "installer": "installer",
              "manager": "manager"}
COUNT_RE = re.compile(r"\bCOUNT\(", re.IGNORECASE)
LITERAL_RE = re.compile(r"'[^']*'|\b\d+\b")  # to group the same query with other values


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", "-n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--pages", default="", help="only pages whose name contains this")
    parser.add_argument("--force", action="store_true",
                        help="let the generator empty a database holding other data")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results")
    return parser.parse_args(argv)


# --- the dataset ---------------------------------------------------------------------


def ensure_dataset(n: int, seed: int, force: bool) -> dict | None:
    """Generate unless the database holds exactly the generator's data for N."""
    from django.core.management import call_command

    from servicedesk import scale

    marker = scale.read_marker()
    filled = scale.filled_models(scale.generators())
    if marker and marker["subscribers"] == n and not scale.foreign_data(filled):
        print(f"Reusing the generated data: N={n:,} (seed {marker['seed']}, as of "
              f"{marker['as_of']}, generated {marker['generated_at']:%Y-%m-%d %H:%M}).")
        return None
    print(f"Generating the data for N={n:,} first…")
    call_command("generate_scale_data", subscribers=n, seed=seed, force=force)
    marker = scale.read_marker()
    return {"seconds": marker["seconds"], "rows": sum(marker["counts"].values()),
            "peak_rss_mb": scale.peak_rss_mb()}


# --- measuring -----------------------------------------------------------------------


def url_name_exists(name: str) -> bool:
    from django.urls import get_resolver

    resolver = get_resolver()
    *namespaces, view = name.split(":")
    for namespace in namespaces:
        if namespace not in resolver.namespace_dict:
            return False
        resolver = resolver.namespace_dict[namespace][1]
    return view in resolver.reverse_dict


def role_user(role: str):
    from servicedesk.models import User

    user = User.objects.filter(username=ROLE_USERS.get(role, role), is_active=True).first()
    return user or User.objects.filter(groups__name=role, is_active=True).order_by("id").first()


def time_sql(sql: str, repeat: int = 5) -> tuple[float, list[str]]:
    """Median wall time (ms) of running ``sql`` alone and fetching its rows, and its plan."""
    from django.db import connection

    times = []
    with connection.cursor() as cursor:
        for _ in range(repeat):
            t0 = time.perf_counter()
            cursor.execute(sql)
            if cursor.description:
                cursor.fetchall()
            times.append((time.perf_counter() - t0) * 1000)
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, TIMING OFF) " + sql)
        plan = [row[0] for row in cursor.fetchall()]
    return statistics.median(times), plan


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def _get(client, url: str, query: dict):
    response = client.get(url, query)
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
    return response


def measure_page(page, clients: dict, samples: dict, requests: int, warmup: int,
                 row_counts: dict) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    result = {"name": page.name, "url_name": page.url_name, "role": page.role,
              "pdf": page.pdf, "deep": page.deep, "table": page.table,
              "rows": row_counts.get(page.table)}
    if not url_name_exists(page.url_name):
        return {**result, "status": "n/a", "note": "URL name not defined yet"}
    client, sample = clients.get(page.role), samples.get(page.role)
    if client is None:
        return {**result, "status": "n/a", "note": f"no active {page.role} user"}
    try:
        calls = []
        for _ in range(warmup + requests):
            args = page.args(sample) if page.args else []
            query = page.query(sample) if callable(page.query) else dict(page.query or {})
            calls.append((reverse(page.url_name, args=args), query))
    except (LookupError, NoReverseMatch) as exc:
        return {**result, "status": "n/a", "note": f"cannot build the URL: {exc}"}
    result["example"] = calls[-1][0] + (
        "?" + "&".join(f"{k}={v}" for k, v in calls[-1][1].items()) if calls[-1][1] else "")
    try:
        for url, query in calls[:warmup]:
            _get(client, url, query)
        timings, cpu, query_counts, statuses, captured = [], [], [], set(), []
        for url, query in calls[warmup:]:
            with CaptureQueriesContext(connection) as queries:
                c0, t0 = time.thread_time(), time.perf_counter()
                response = _get(client, url, query)
                elapsed = (time.perf_counter() - t0) * 1000
                cpu.append((time.thread_time() - c0) * 1000)
            timings.append(elapsed)
            query_counts.append(len(queries.captured_queries))
            statuses.add(response.status_code)
            captured.append((elapsed, list(queries.captured_queries)))
        url, query = calls[-1]
        tracemalloc.start()
        _get(client, url, query)
        memory_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    except Exception as exc:  # noqa: BLE001 - a broken page is a result, not a crash
        return {**result, "status": "error", "note": f"{type(exc).__name__}: {exc}"[:300]}
    # The floor: the slowest SELECT of the median request, timed alone.
    median_request = sorted(captured, key=lambda c: c[0])[len(captured) // 2][1]
    selects = [q for q in median_request if q["sql"].lstrip().upper().startswith("SELECT")]
    floor_ms, floor_sql, floor_plan = None, "", []
    if selects:
        slowest = max(selects, key=lambda q: float(q["time"]))
        floor_sql = slowest["sql"]
        floor_ms, floor_plan = time_sql(floor_sql)
    counts = sorted({LITERAL_RE.sub("?", q["sql"])[:300] for _t, qs in captured for q in qs
                     if COUNT_RE.search(q["sql"])})[:10]
    bad_status = sorted(s for s in statuses if s >= 400)
    return {
        **result,
        "status": "ok" if not bad_status else f"HTTP {','.join(map(str, bad_status))}",
        "redirects": sorted(s for s in statuses if 300 <= s < 400),
        "p50_ms": percentile(timings, 0.50), "p95_ms": percentile(timings, 0.95),
        "mean_ms": statistics.fmean(timings), "max_ms": max(timings),
        "cpu_p50_ms": percentile(cpu, 0.50),
        "sql_p50_ms": percentile([sum(float(q["time"]) for q in qs) * 1000
                                  for _t, qs in captured], 0.50),
        "queries_min": min(query_counts), "queries_max": max(query_counts),
        "floor_ms": floor_ms, "floor_sql": floor_sql[:4000], "floor_plan": floor_plan,
        "count_queries": counts, "memory_peak_kb": memory_peak / 1024,
    }


def machine() -> dict:
    from django.db import connection

    def first(path: str, key: str) -> str:
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return ""

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
        cursor.execute("SHOW shared_buffers")
        shared_buffers = cursor.fetchone()[0]
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return {
        "nproc": os.cpu_count(), "memory": first("/proc/meminfo", "MemTotal"),
        "cpu": first("/proc/cpuinfo", "model name") or platform.processor(),
        "postgresql": pg_version, "shared_buffers": shared_buffers,
        "python": platform.python_version(), "django": __import__("django").get_version(),
        "load_average": os.getloadavg(), "commit": commit,
    }


# --- reporting -----------------------------------------------------------------------


def latest_results(n: int) -> dict | None:
    files = sorted(RESULTS.glob(f"*-N{n}.json"), key=lambda p: (p.stem.split("-N")[0],
                                                                p.stat().st_mtime))
    return json.loads(files[-1].read_text()) if files else None


def _fmt(value, spec: str = ".1f", empty: str = "—") -> str:
    return empty if value is None else format(value, spec)


def report(run: dict) -> list[str]:
    """Print the table; return the budget misses."""
    n = run["subscribers"]
    other_n = SIZES[0] if n != SIZES[0] else SIZES[1]
    other = latest_results(other_n)
    other_pages = {p["name"]: p for p in other["pages"]} if other else {}
    small, large = (other_pages, None) if n > other_n else (None, other_pages)
    print()
    print(f"N = {n:,} subscribers · {run['requests']} timed requests per page · "
          f"{run['machine']['nproc']} CPUs · PostgreSQL {run['machine']['postgresql']} · "
          f"load {run['machine']['load_average'][0]:.2f}")
    ratio_label = f"×{SIZES[1] // SIZES[0]}N" if other else "ratio"
    header = (f"{'page':<30} {'role':<9} {'p50':>7} {'p95':>7} {'cpu':>6} {'sql':>6} "
              f"{'q/req':>6} {'rows':>11} {'floor':>7} {'p95/fl':>7} {ratio_label:>7}  notes")
    print(header)
    print("-" * len(header))
    misses = []
    for page in run["pages"]:
        rows = _fmt(page.get("rows"), ",d", "")
        if page["status"] in ("n/a", "error"):
            print(f"{page['name']:<30} {page['role']:<9} {page['status']:>7} {'':>7} {'':>6} "
                  f"{'':>6} {'':>6} {rows:>11} {'':>7} {'':>7} {'':>7}  {page.get('note', '')}")
            if page["status"] == "error":
                misses.append(f"{page['name']}: {page['note']}")
            continue
        q = (f"{page['queries_max']}" if page["queries_min"] == page["queries_max"]
             else f"{page['queries_min']}-{page['queries_max']}")
        floor = page.get("floor_ms")
        over_floor = page["p95_ms"] / floor if floor else None
        twin = (small if small is not None else large or {}).get(page["name"])
        ratio = None
        if twin and twin.get("p95_ms"):
            ratio = (page["p95_ms"] / twin["p95_ms"] if small is not None
                     else twin["p95_ms"] / page["p95_ms"])
        page["scaling_ratio"] = ratio
        notes = []
        if page["status"] != "ok":
            notes.append(page["status"])
        if page["pdf"]:
            notes.append("PDF")
        if page.get("redirects"):
            notes.append("some answers redirect (" + ",".join(map(str, page["redirects"])) + ")")
        if page.get("count_queries"):
            notes.append("COUNT(*)")
        if page.get("memory_peak_kb", 0) > 20 * 1024:
            notes.append(f"mem {page['memory_peak_kb'] / 1024:.0f} MB")
        print(f"{page['name']:<30} {page['role']:<9} {page['p50_ms']:>7.1f} "
              f"{page['p95_ms']:>7.1f} {page['cpu_p50_ms']:>6.1f} {page['sql_p50_ms']:>6.1f} "
              f"{q:>6} {rows:>11} {_fmt(floor, '.2f'):>7} "
              f"{_fmt(over_floor, '.0f'):>7} {_fmt(ratio, '.2f'):>7}  {' '.join(notes)}")
        # budgets
        if page["status"] != "ok":
            misses.append(f"{page['name']}: {page['status']}")
        if not page["pdf"] and page["p95_ms"] > BUDGET_MS and n >= SIZES[1]:
            misses.append(f"{page['name']}: p95 {page['p95_ms']:.0f} ms > {BUDGET_MS:.0f} ms")
        if page["queries_max"] > MAX_QUERIES:
            misses.append(f"{page['name']}: {page['queries_max']} queries > {MAX_QUERIES}")
        if twin and twin.get("queries_max") is not None and not page.get("deep") and (
                twin["queries_max"] != page["queries_max"]):
            misses.append(f"{page['name']}: {page['queries_max']} queries here, "
                          f"{twin['queries_max']} at N={other_n:,}")
        if ratio is not None and ratio > MAX_SCALING and not page["pdf"]:
            misses.append(f"{page['name']}: scaling ratio {ratio:.2f} > {MAX_SCALING}")
        if page.get("count_queries") and (page.get("rows") or 0) >= 100_000:
            misses.append(f"{page['name']}: COUNT over a {page['rows']:,}-row table: "
                          f"{page['count_queries'][0][:120]}")
    print()
    if other:
        print(f"Scaling ratio: p95(N={SIZES[1]:,}) / p95(N={SIZES[0]:,}), from "
              f"bench/results ({other['date']}, N={other_n:,}).")
    print("Times in ms. cpu: this process's CPU time per request (p50: Python, unaffected by "
          "waiting for\nthe other cores); sql: time in SQL per request (p50); floor: the "
          "page's slowest SELECT run alone\n(median of 5); p95/fl: how many times the page "
          "costs more than that query.")
    if n < SIZES[1]:
        print(f"(The {BUDGET_MS:.0f} ms budget applies at N={SIZES[1]:,}; checked here: "
              "queries per request, errors.)")
    if misses:
        print(f"\nBudget misses ({len(misses)}):")
        for miss in misses:
            print(f"  - {miss}")
    else:
        print("\nAll budgets met.")
    return misses


def main(argv=None) -> int:
    args = parse_args(argv)
    import django

    django.setup()
    from django.apps import apps
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bench.pages import PAGES, Sample

    call_command("migrate", verbosity=0)
    generation = ensure_dataset(args.subscribers, args.seed, args.force)

    # Serve as in production: DEBUG off, the real middleware, the test client's host.
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    pages = [p for p in PAGES if args.pages in p.name]
    rng = random.Random(args.seed)
    clients, samples = {}, {}
    for role in sorted({p.role for p in pages}):
        user = role_user(role)
        if user is None:
            continue
        client = Client()
        client.force_login(user)
        clients[role] = client
        samples[role] = Sample(user, rng)
    row_counts = {}
    with connection.cursor() as cursor:
        for label in sorted({p.table for p in pages if p.table}):
            try:
                model = apps.get_model(label)
            except LookupError:
                continue
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT count(*) FROM {table}")
            row_counts[label] = cursor.fetchone()[0]
    started = time.perf_counter()
    results = []
    for page in pages:
        print(f"  {page.name} …", end="", flush=True, file=sys.stderr)
        result = measure_page(page, clients, samples, args.requests, args.warmup, row_counts)
        print(f" {result['status']} {_fmt(result.get('p95_ms'))} ms", file=sys.stderr)
        results.append(result)
    run = {
        "date": date.today().isoformat(), "subscribers": args.subscribers, "seed": args.seed,
        "requests": args.requests, "warmup": args.warmup,
        "seconds": time.perf_counter() - started, "machine": machine(),
        "generation": generation, "pages": results,
        "budgets": {"p95_ms": BUDGET_MS, "queries": MAX_QUERIES, "scaling": MAX_SCALING},
    }
    misses = report(run)
    run["misses"] = misses
    if not args.no_save and not args.pages:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"{run['date']}-N{args.subscribers}.json"
        path.write_text(json.dumps(run, indent=1, ensure_ascii=False, default=str) + "\n")
        print(f"\nWrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
