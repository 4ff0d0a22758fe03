"""The context a scale generator gets, and the COPY loading it writes through."""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from django.db import connection, models

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")
HISTORY_MONTHS = 24


class ScaleError(Exception):
    """The generator refuses to run (the message says why and what to do)."""


def generator(*, fills: Sequence[type[models.Model]]):
    """Declare the models (tables) a scale generator fills, in load order."""

    def decorate(func: Callable[[ScaleContext], Any]):
        func.fills = list(fills)
        return func

    return decorate


# --- progress ------------------------------------------------------------------------


class Progress:
    """A plain stderr progress line with rate and ETA (``\\r`` updates on a terminal,
    one line every few seconds in a log file)."""

    def __init__(self, label: str, total: int, unit: str, stream=None):
        self.label, self.total, self.unit = label, max(total, 1), unit
        self.stream = stream if stream is not None else sys.stderr
        self.done_units = 0
        self.rows = 0
        self.started = time.perf_counter()
        self._last = self.started
        self._tty = hasattr(self.stream, "isatty") and self.stream.isatty()

    def advance(self, units: int, rows: int = 0) -> None:
        self.done_units += units
        self.rows += rows
        now = time.perf_counter()
        if now - self._last >= (0.5 if self._tty else 5.0):
            self._last = now
            self._print(end="\r" if self._tty else "\n")

    def finish(self) -> float:
        self.done_units = self.total
        self._print(end="\n")
        return time.perf_counter() - self.started

    def _print(self, end: str) -> None:
        elapsed = max(time.perf_counter() - self.started, 1e-6)
        share = min(self.done_units / self.total, 1.0)
        eta = (elapsed / share - elapsed) if share else 0
        line = (
            f"{self.label:<12} {share:6.1%} {self.done_units:>11,}/{self.total:,} {self.unit}"
            f" · {self.rows / elapsed:>9,.0f} rows/s · {_clock(elapsed)}"
            f" · ETA {_clock(eta)}"
        )
        self.stream.write(line + " " * 4 + end)
        self.stream.flush()


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"


# --- loading -------------------------------------------------------------------------


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


class _Table:
    """A COPY target: the columns a generator writes plus constant defaults it omits."""

    def __init__(self, model: type[models.Model], columns: Sequence[str]):
        self.model = model
        self.name = model._meta.db_table
        extra_cols, extra_vals = [], []
        given = set(columns)
        for f in model._meta.concrete_fields:
            if f.column in given or f.primary_key:
                continue
            if f.has_default() and not callable(f.default):
                extra_cols.append(f.column)
                extra_vals.append(f.get_db_prep_save(f.get_default(), connection))
            elif f.null or f.has_db_default():
                continue
            else:
                raise ScaleError(
                    f"The scale generator for {model._meta.label} must write "
                    f"{f.name!r}: it is NOT NULL without a constant default."
                )
        self.columns = list(columns) + extra_cols
        self.extra = tuple(extra_vals)
        cols = ", ".join(_quote(c) for c in self.columns)
        self.sql = f"COPY {_quote(self.name)} ({cols}) FROM STDIN"

    def write(self, rows: Iterable[Sequence[Any]], on_batch=None, batch: int = 10000) -> int:
        extra = self.extra
        count = 0
        with connection.cursor() as cursor, cursor.cursor.copy(self.sql) as copy:
            write = copy.write_row
            for row in rows:
                write(row + extra if extra else row)
                count += 1
                if on_batch and count % batch == 0:
                    on_batch(batch)
        if on_batch and count % batch:
            on_batch(count % batch)
        return count


class Loader:
    """Rows for several tables, buffered and written in batches of COPY statements.

    One connection runs one COPY at a time; a generator that makes a subscriber, its
    accounts and their state changes together adds them here, and every ``batch_rows``
    rows each table's buffer goes out in one COPY (tables in registration order, parents
    first). Memory is one batch, whatever N is.
    """

    def __init__(self, ctx: ScaleContext, batch_rows: int = 20000):
        self.ctx = ctx
        self.batch_rows = batch_rows
        self.tables: dict[type[models.Model], _Table] = {}
        self.buffers: dict[type[models.Model], list] = {}
        self.counts: dict[type[models.Model], int] = {}
        self.pending = 0

    def register(self, model: type[models.Model], columns: Sequence[str]) -> Callable:
        self.tables[model] = _Table(model, columns)
        buffer = self.buffers[model] = []
        self.counts[model] = 0
        append = buffer.append

        def add(row: tuple) -> None:
            append(row)
            self.pending += 1

        return add

    def full(self) -> bool:
        return self.pending >= self.batch_rows

    def flush(self) -> int:
        written = 0
        for model, table in self.tables.items():
            rows = self.buffers[model]
            if rows:
                written += table.write(rows)
                self.counts[model] += len(rows)
                rows.clear()
        self.pending = 0
        return written

    def __enter__(self) -> Loader:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.flush()
            for model, count in self.counts.items():
                self.ctx.record(model, count)


@dataclass
class ScaleContext:
    """What a generator gets: size, seed, randomness, connection, earlier results."""

    n: int  # subscribers
    seed: int
    as_of: date  # "today" of the generated history
    stdout: Any = None
    stderr: Any = None
    months: int = HISTORY_MONTHS
    # id ranges of what earlier generators made, by model label ("accounts.Subscriber")
    ids: dict[str, range] = field(default_factory=dict)
    # small shared lookups (service points, staff by role), by name
    data: dict[str, Any] = field(default_factory=dict)
    # rows written, by table
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def connection(self):
        return connection

    @property
    def start(self) -> datetime:
        """The first moment of the generated history (``months`` before ``as_of``)."""
        first = self.as_of - timedelta(days=round(self.months * 30.44))
        return datetime(first.year, first.month, first.day, tzinfo=SHANGHAI)

    @property
    def days(self) -> int:
        return (self.as_of - self.start.date()).days

    def random(self, label: str) -> random.Random:
        """A random generator of its own per generator: adding one does not shift others."""
        return random.Random(f"{self.seed}:{label}")

    def progress(self, label: str, total: int, unit: str = "rows") -> Progress:
        return Progress(label, total, unit, stream=self.stderr)

    def scaled(self, per_subscriber: float, minimum: int = 0) -> int:
        """A volume proportional to N: ``ctx.scaled(3)`` work orders, ``(1/20)`` complaints."""
        return max(minimum, round(self.n * per_subscriber))

    def copy(self, model: type[models.Model], columns: Sequence[str],
             rows: Iterable[Sequence[Any]], progress: Progress | None = None) -> int:
        """Stream ``rows`` (tuples in ``columns`` order) into the model's table with COPY."""
        on_batch = (lambda k: progress.advance(k, k)) if progress else None
        count = _Table(model, columns).write(rows, on_batch=on_batch)
        self.record(model, count)
        return count

    def loader(self, batch_rows: int = 20000) -> Loader:
        return Loader(self, batch_rows)

    def record(self, model: type[models.Model], count: int) -> None:
        table = model._meta.db_table
        self.counts[table] = self.counts.get(table, 0) + count

    def stream(self, sql: str, params: Sequence[Any] = (), size: int = 10000):
        """Rows of a query through a server-side cursor (read back what others made)."""
        raw = connection.connection
        with raw.cursor(name=f"scale_{time.monotonic_ns()}") as cursor:
            cursor.itersize = size
            cursor.execute(sql, params)
            yield from cursor
