"""Running the generators: checks, TRUNCATE, triggers, indexes, marker, VACUUM."""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date

from django.conf import settings
from django.db import connection, models, transaction
from django.utils.module_loading import import_string

from servicedesk.scale.context import ScaleContext, ScaleError, _quote

MARKER_TABLE = "scale_dataset"


def generators() -> list[Callable]:
    return [import_string(path) for path in settings.SCALE_GENERATORS]


def filled_models(gens: Sequence[Callable]) -> list[type[models.Model]]:
    seen: list[type[models.Model]] = []
    for gen in gens:
        for model in gen.fills:
            if model not in seen:
                seen.append(model)
    return seen


def _event_tables(models_: Sequence[type[models.Model]]) -> list[str]:
    """pghistory event tables of the filled models: their old history must go with them."""
    from django.apps import apps

    tables = []
    for model in apps.get_models():
        try:
            obj = model._meta.get_field("pgh_obj")
        except Exception:  # noqa: BLE001 - not an event model
            continue
        if obj.related_model in models_:
            tables.append(model._meta.db_table)
    return tables


def read_marker() -> dict | None:
    """What the last generation recorded (None when the database was never generated)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [MARKER_TABLE])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(
            f"SELECT subscribers, seed, as_of, generated_at, seconds, counts "
            f"FROM {MARKER_TABLE} ORDER BY generated_at DESC LIMIT 1"
        )
        row = cursor.fetchone()
    if row is None:
        return None
    counts = row[5] if isinstance(row[5], dict) else json.loads(row[5])
    return {"subscribers": row[0], "seed": row[1], "as_of": row[2], "generated_at": row[3],
            "seconds": row[4], "counts": counts}


def _cascade_closure(tables: Sequence[str]) -> list[str]:
    """Every table ``TRUNCATE … CASCADE`` of ``tables`` would empty."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH RECURSIVE reached(rel) AS (
                SELECT unnest(%s::regclass[])
                UNION
                SELECT con.conrelid FROM pg_constraint con
                JOIN reached ON con.confrelid = reached.rel WHERE con.contype = 'f'
            )
            SELECT rel::regclass::text FROM reached ORDER BY 1
            """,
            [list(tables)],
        )
        return [row[0].strip('"') for row in cursor.fetchall()]


def foreign_data(models_: Sequence[type[models.Model]]) -> list[str]:
    """Tables holding rows the generator did not make (what a run would destroy).

    The filled tables must hold what the last run recorded; the tables a ``TRUNCATE …
    CASCADE`` would reach and the filled models' audit (event) tables must be empty: an
    edit made through the application leaves an event row behind.
    """
    marker = read_marker()
    recorded = marker["counts"] if marker else {}
    tables = _cascade_closure([m._meta.db_table for m in models_]) + _event_tables(models_)
    problems = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {_quote(table)}")
            count = cursor.fetchone()[0]
            if count != recorded.get(table, 0):
                problems.append(f"{table}: {count:,} rows")
    return problems


def _rebuildable_indexes(model: type[models.Model]) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the model's indexes that can be dropped for the
    load and recreated exactly as its migrations made them.

    The statements come from Django's schema editor (field and foreign-key indexes,
    ``Meta.indexes``, conditional ``UniqueConstraint``s: the very SQL a migration runs),
    limited to indexes that exist and back no constraint. An index Django does not know
    (raw SQL) stays in place during the load.
    """
    editor = connection.schema_editor(collect_sql=True)
    statements = list(editor._model_indexes_sql(model))
    for constraint in model._meta.constraints:
        sql = constraint.create_sql(model, editor)
        if sql is not None and str(sql).startswith("CREATE"):
            statements.append(sql)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            WHERE i.indrelid = %s::regclass AND NOT i.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
            """,
            [model._meta.db_table],
        )
        existing = {row[0] for row in cursor.fetchall()}
    found = []
    for statement in statements:
        name = str(statement.parts["name"]).strip('"')
        if name in existing:
            found.append((name, str(statement)))
    return found


def _is_superuser() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
    return bool(row and row[0])


def _reset_sequences(tables: Sequence[str]) -> None:
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [_quote(table)])
            row = cursor.fetchone()
            if row and row[0]:
                cursor.execute(
                    f"SELECT setval(%s, COALESCE((SELECT max(id) FROM {_quote(table)}), 0) + 1,"
                    f" false)",
                    [row[0]],
                )


def _write_marker(ctx: ScaleContext, seconds: float, gens: Sequence[Callable]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (
                id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                subscribers integer NOT NULL, seed integer NOT NULL, as_of date NOT NULL,
                generated_at timestamptz NOT NULL DEFAULT now(), seconds double precision,
                generators text NOT NULL, counts jsonb NOT NULL
            )
            """
        )
        cursor.execute(f"DELETE FROM {MARKER_TABLE}")
        cursor.execute(
            f"INSERT INTO {MARKER_TABLE} (subscribers, seed, as_of, seconds, generators, counts)"
            f" VALUES (%s, %s, %s, %s, %s, %s)",
            [ctx.n, ctx.seed, ctx.as_of, seconds,
             " ".join(f"{g.__module__}.{g.__name__}" for g in gens), json.dumps(ctx.counts)],
        )


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(*, subscribers: int, seed: int = 2026, as_of: date | None = None, force: bool = False,
        stdout=None, stderr=None, drop_indexes: bool = True, vacuum: bool = True) -> dict:
    """Empty the generated tables and fill them again; returns a summary.

    Refuses (``ScaleError``) when the tables hold data the generator did not make, unless
    ``force``. Runs in one transaction: a failure leaves the database as it was.
    """
    from django.utils import timezone as dj_timezone

    if subscribers < 1:
        raise ScaleError("--subscribers must be at least 1.")
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    ctx = ScaleContext(n=subscribers, seed=seed, as_of=as_of or dj_timezone.localdate(),
                       stdout=stdout, stderr=stderr)
    gens = generators()
    models_ = filled_models(gens)
    tables = [m._meta.db_table for m in models_]
    if not force:
        problems = foreign_data(models_)
        if problems:
            raise ScaleError(
                "Refusing to empty tables that hold data the scale generator did not make "
                "(use --force to destroy it):\n  " + "\n  ".join(problems)
            )
    started = time.perf_counter()
    timings: dict[str, float] = {}
    nested = connection.in_atomic_block
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Checks deferred by earlier writes of an enclosing transaction would block
            # the TRUNCATE ("pending trigger events"): run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            if _is_superuser():
                cursor.execute("SET LOCAL session_replication_role = replica")
                triggers_off = []
            else:  # table owners may still switch their own triggers off
                triggers_off = tables
                for table in tables:
                    cursor.execute(f"ALTER TABLE {_quote(table)} DISABLE TRIGGER USER")
            truncate = tables + _event_tables(models_) + ["django_session"]
            cursor.execute(
                "TRUNCATE " + ", ".join(_quote(t) for t in truncate) + " RESTART IDENTITY CASCADE"
            )
        for gen in gens:
            label = gen.__module__.split(".")[0]
            dropped = []
            if drop_indexes:
                with connection.cursor() as cursor:
                    for model in gen.fills:
                        for name, ddl in _rebuildable_indexes(model):
                            cursor.execute(f"DROP INDEX {_quote(name)}")
                            dropped.append(ddl)
            t0 = time.perf_counter()
            summary = gen(ctx)
            timings[label] = time.perf_counter() - t0
            if summary:
                stdout.write(f"  {label}: {summary} ({timings[label]:.1f} s)\n")
            t0 = time.perf_counter()
            with connection.cursor() as cursor:
                for ddl in dropped:
                    cursor.execute(ddl)
            timings[f"{label} indexes"] = time.perf_counter() - t0
            if dropped:
                stdout.write(f"  {label}: {len(dropped)} indexes rebuilt "
                             f"({timings[f'{label} indexes']:.1f} s)\n")
        _reset_sequences(tables)
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            for table in triggers_off:
                cursor.execute(f"ALTER TABLE {_quote(table)} ENABLE TRIGGER USER")
            if not triggers_off:
                cursor.execute("SET LOCAL session_replication_role = origin")
            if nested or not vacuum:
                cursor.execute("ANALYZE " + ", ".join(_quote(t) for t in tables))
        timings["analyze"] = time.perf_counter() - t0
        _write_marker(ctx, time.perf_counter() - started, gens)
    if not nested and vacuum:
        # After commit, outside any transaction: set the visibility map and hint bits now
        # (index-only scans; no autovacuum storm during a benchmark) and analyse.
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) " + ", ".join(_quote(t) for t in tables))
        timings["vacuum analyze"] = time.perf_counter() - t0
    seconds = time.perf_counter() - started
    rows = sum(ctx.counts.values())
    return {"subscribers": subscribers, "seed": seed, "as_of": ctx.as_of.isoformat(),
            "rows": rows, "seconds": seconds, "rows_per_second": rows / max(seconds, 1e-9),
            "peak_rss_mb": peak_rss_mb(), "counts": dict(ctx.counts), "timings": timings}
