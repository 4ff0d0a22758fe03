"""Call detail records (话单): import a CSV file, rate each call, charge the balances.

The file (UTF-8 or GB18030, comma separated, one header line)::

    call_id,number,called_number,start_time,seconds,call_type
    C20261103-000001,68690012,02988886666,2026-11-03 08:15:00,125,local

- ``call_id``: the switch's unique id of the call (at most 40 characters); a call already
  imported is skipped, so importing the same file twice charges once;
- ``number``: the calling line, 7-8 digits (``029`` or ``86029`` in front is dropped);
- ``start_time``: local time (Asia/Shanghai), ``YYYY-MM-DD HH:MM[:SS]``;
- ``seconds``: whole seconds, 0 to 86400; every started minute is charged;
- ``call_type``: ``local`` (市话), ``domestic`` (国内长途) or ``international`` (国际长途).

A file is rated a chunk of lines at a time, each chunk in one transaction that records
how far it got (``CdrImport.next_line``): the upload page advances it while it polls, the
command runs it to the end, and an interrupted import resumes where it stopped. Each call
is rated by ``rules.call_charge`` at its line's plan rate; the month's package credit pays
first. International calls on lines that cannot make them (Unicom 6869, plans without an
international rate) are flagged and not charged. Bad lines are kept with their line number
and reason and do not stop the good ones. When the file is done, the rated calls are
charged to the ledger: one row per line and month.
"""

from __future__ import annotations

import csv
import hashlib
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Lookup, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as accounts_services
from accounts.choices import OPEN_LANDLINE_STATES, LandlineState
from accounts.models import LandlineAccount
from billing import ledger, rules
from billing.choices import CallStatus, CallType, CdrImportStatus, LedgerKind
from billing.models import BalanceEntry, CallCredit, CallRecord, CdrImport, CdrRejection

COLUMNS = ["call_id", "number", "called_number", "start_time", "seconds", "call_type"]
CHUNK_LINES = 5000
MAX_FILE_BYTES = 30 * 1024 * 1024
MAX_SECONDS = 86400
MAX_REJECTIONS_KEPT = 5000
CALL_TYPES = {
    "local": CallType.LOCAL, "市话": CallType.LOCAL, "本地": CallType.LOCAL,
    "domestic": CallType.DOMESTIC, "长途": CallType.DOMESTIC, "国内长途": CallType.DOMESTIC,
    "international": CallType.INTERNATIONAL, "国际": CallType.INTERNATIONAL,
    "国际长途": CallType.INTERNATIONAL,
}
AREA_PREFIXES = ("86029", "029")
ZERO = Decimal("0.00")


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError({"file": _("The file is neither UTF-8 nor GB18030 text.")})


def cdr_import_create(*, user, file_name: str, data: bytes,
                      now: datetime | None = None) -> CdrImport:
    """Store an uploaded file for rating. Checks the header; the rows are checked as they
    are rated."""
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError({"file": _("The file is larger than %(mb)d MB: split it.")
                               % {"mb": MAX_FILE_BYTES // (1024 * 1024)}})
    text = _decode(data).replace("\x00", "")
    lines = text.splitlines()
    header = [cell.strip().lower() for cell in next(csv.reader(lines[:1]), [])]
    if header != COLUMNS:
        raise ValidationError({"file": _("The first line must be the header %(header)s.")
                               % {"header": ",".join(COLUMNS)}})
    if len(lines) < 2:
        raise ValidationError({"file": _("The file has no calls.")})
    with transaction.atomic():
        return CdrImport.objects.create(
            file_name=(file_name or "cdr.csv")[:120], content="\n".join(lines),
            sha256=hashlib.sha256(data).hexdigest(), line_count=len(lines),
            uploaded_by=user, uploaded_at=now or timezone.now())


def normalize_number(value: str) -> str:
    number = "".join(ch for ch in value if ch.isdigit())
    for prefix in AREA_PREFIXES:
        if number.startswith(prefix) and len(number) - len(prefix) in (7, 8):
            return number[len(prefix):]
    return number


class _Rejected(Exception):
    pass


def _parse(row: list[str], tz) -> tuple[str, str, str, datetime, int, str]:
    """One CSV row checked: ``(call_id, number, called, start, seconds, call_type)``, the
    start in ``tz``. Raises _Rejected with the reason."""
    if len(row) != len(COLUMNS):
        raise _Rejected(_("Expected %(n)d columns, found %(found)d.")
                        % {"n": len(COLUMNS), "found": len(row)})
    call_id, number, called, start, seconds, call_type = map(str.strip, row)
    if not call_id or len(call_id) > 40:
        raise _Rejected(_("The call ID is missing or longer than 40 characters."))
    if not (len(number) <= 8 and number.isdigit()):  # else nothing to take off
        number = normalize_number(number)
    if not 7 <= len(number) <= 8:
        raise _Rejected(_("The calling number %(number)s is not a 7-8 digit local number.")
                        % {"number": row[1].strip()[:20]})
    try:
        started = datetime.fromisoformat(start)
    except ValueError:
        raise _Rejected(_("Start time %(value)s is not YYYY-MM-DD HH:MM:SS.")
                        % {"value": start[:30]}) from None
    # What timezone.make_aware/localtime do, without their per-call lookup of the zone.
    started = started.replace(tzinfo=tz) if started.tzinfo is None else started.astimezone(tz)
    if not (seconds.isascii() and seconds.isdigit()) or int(seconds) > MAX_SECONDS:
        raise _Rejected(_("Seconds must be a whole number from 0 to %(max)d, not %(value)s.")
                        % {"max": MAX_SECONDS, "value": seconds[:20]})
    kind = CALL_TYPES.get(call_type.lower())
    if kind is None:
        raise _Rejected(_("Unknown call type %(value)s: local, domestic or international.")
                        % {"value": call_type[:20]})
    return call_id, number, called[:24], started, int(seconds), kind


def open_lines(numbers) -> dict[str, tuple[int, dict[str, Decimal | None]]]:
    """The open lines with these numbers: ``number -> (line id, rate per minute by call
    type)``, the rate None where the line cannot make that call (international calls on a
    carrier without them, or a plan without an international rate). Plain values, not
    model instances: a chunk looks up thousands of lines."""
    rows = (LandlineAccount.objects
            .filter(AnyOf(F("phone_number"), numbers), state__in=OPEN_LANDLINE_STATES)
            .values_list("phone_number", "pk", "plan__local_rate", "plan__domestic_rate",
                         "plan__international_rate", "carrier__international_calls"))
    return {number: (pk, {CallType.LOCAL: local, CallType.DOMESTIC: domestic,
                          CallType.INTERNATIONAL: international if abroad else None})
            for number, pk, local, domestic, international, abroad in rows}


class AnyOf(Lookup):
    """``field = ANY(%s)``, the values sent as one array: a chunk's 20,000 call IDs as an
    IN list of 20,000 placeholders cost more to build on the client than the query takes
    to run. Use as ``.filter(AnyOf(F("call_id"), ids))``."""

    lookup_name = "any_of"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return "%s", [list(value)]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]


def _lock_import(cdr_import: CdrImport) -> CdrImport:
    ledger.batch_lock()
    return CdrImport.objects.select_for_update().get(pk=cdr_import.pk)


@transaction.atomic
def cdr_import_step(*, cdr_import: CdrImport, max_lines: int = CHUNK_LINES, user=None,
                    now: datetime | None = None) -> CdrImport:
    """Rate the next ``max_lines`` lines of the file; after the last, charge the ledger.

    Set-based per chunk: the chunk's rows are parsed, their landlines and the call IDs
    already imported fetched in one query each, the calls rated in memory (the rule:
    ``rules.call_charge``) and written with one COPY; the counters, the credit used and
    the rejections are saved with the calls, in this one transaction (a crash leaves the
    chunk unread, and the next step redoes it).
    """
    now = now or timezone.now()
    job = _lock_import(cdr_import)
    if job.status == CdrImportStatus.DONE:
        return job
    lines = job.content.split("\n")
    first = job.next_line  # 1-based line number
    chunk = lines[first - 1:first - 1 + max_lines]
    if not chunk:
        _finish(job, user=user or job.uploaded_by, now=now)
        return job

    tz = timezone.get_current_timezone()
    parsed, rejections = [], []
    nonblank = 0
    for offset, row in enumerate(csv.reader(chunk)):
        if not row or not any(cell.strip() for cell in row):
            continue
        nonblank += 1
        line_no = first + offset
        try:
            parsed.append((line_no, *_parse(row, tz)))
        except _Rejected as exc:
            rejections.append(CdrRejection(cdr_import=job, line=line_no, reason=str(exc)[:200],
                                           raw=",".join(row)[:200]))
    lines_by_number = open_lines({item[2] for item in parsed})
    seen = set(CallRecord.objects.filter(AnyOf(F("call_id"), {item[1] for item in parsed}))
               .values_list("call_id", flat=True))
    months = {ledger.month_start(item[4].date()) for item in parsed}
    credits = {(c.landline_id, c.period): c for c in CallCredit.objects.select_for_update()
               .filter(AnyOf(F("landline_id"), [pk for pk, _rates in lines_by_number.values()]),
                       period__in=months)}
    touched_credits = {}
    records = []
    skipped = flagged = 0
    charged = credit_used = ZERO
    charges = {}  # (rate, seconds) -> rules.call_charge
    for line_no, call_id, number, called, started, seconds, call_type in parsed:
        if call_id in seen:
            skipped += 1
            continue
        line = lines_by_number.get(number)
        reason = None
        if line is None:
            reason = _("No open landline has the number %(number)s.") % {"number": number}
        elif started > now:
            reason = _("The call starts in the future.")
        if reason:
            rejections.append(CdrRejection(cdr_import=job, line=line_no, reason=reason[:200],
                                           raw=lines[line_no - 1][:200]))
            continue
        seen.add(call_id)
        landline_id, rates = line
        rate = rates[call_type]
        if rate is None:
            flagged += 1
            records.append((call_id, landline_id, job.pk, called, started, seconds, call_type,
                            CallStatus.FLAGGED, ZERO, ZERO, ZERO, ZERO))
            continue
        charge = charges.get((rate, seconds))
        if charge is None:
            charge = charges[rate, seconds] = rules.call_charge(rate, seconds)
        used = ZERO
        if credits:
            local_start = started.date()
            credit = credits.get((landline_id, ledger.month_start(local_start)))
            if credit is not None and charge > 0 and local_start <= credit.valid_until:
                used = min(charge, credit.amount - credit.used)
                if used > 0:
                    credit.used += used
                    touched_credits[credit.pk] = credit
        records.append((call_id, landline_id, job.pk, called, started, seconds, call_type,
                        CallStatus.RATED, rate, charge, used, charge - used))
        charged += charge - used
        credit_used += used
    _copy_calls(records)
    if touched_credits:
        CallCredit.objects.bulk_update(touched_credits.values(), ["used"])
    kept = CdrRejection.objects.filter(cdr_import=job).count() if job.rejected else 0
    CdrRejection.objects.bulk_create(rejections[:max(0, MAX_REJECTIONS_KEPT - kept)])
    job.rows_read += nonblank
    job.rated += len(records) - flagged
    job.flagged += flagged
    job.skipped += skipped
    job.rejected += len(rejections)
    job.total_charged += charged
    job.credit_used += credit_used
    job.next_line = first + len(chunk)
    job.save(update_fields=["rows_read", "rated", "flagged", "skipped", "rejected",
                            "total_charged", "credit_used", "next_line"])
    if job.next_line > job.line_count:
        _finish(job, user=user or job.uploaded_by, now=now)
    return job


CALL_COLUMNS = ("call_id", "landline_id", "cdr_import_id", "called_number", "started_at",
                "seconds", "call_type", "status", "rate", "charge", "credit_used", "charged")


# COPY's text format: a backslash, tab or line break inside a value is escaped.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_calls(rows: list[tuple]) -> None:
    """Write call rows with one COPY: the constraints, indexes and foreign keys still
    hold, and it is several times faster than INSERTs. The rows are formatted here (COPY's
    text format) rather than adapted value by value: a chunk is 20,000 rows."""
    if not rows:
        return
    text = "".join(
        f"{call_id.translate(_COPY_ESCAPES)}\t{landline}\t{job}\t"
        f"{called.translate(_COPY_ESCAPES)}\t{started.isoformat()}\t{seconds}\t"
        f"{call_type.value}\t{status.value}\t{rate}\t{charge}\t{used}\t{charged}\n"
        for call_id, landline, job, called, started, seconds, call_type, status, rate,
        charge, used, charged in rows)
    sql = f"COPY {CallRecord._meta.db_table} ({', '.join(CALL_COLUMNS)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        copy.write(text)


def _finish(job: CdrImport, *, user, now: datetime) -> None:
    calls_post(cdr_import=job, user=user, now=now)
    job.status = CdrImportStatus.DONE
    job.finished_at = now
    job.save(update_fields=["status", "finished_at"])


def calls_post(*, cdr_import: CdrImport, user=None, now: datetime | None = None) -> int:
    """Charge the import's rated calls: one ledger row per line and month; then bar the
    lines that went below zero. In the transaction that marks the import done (the batch
    lock held), so an import is charged entirely or not at all, and only once."""
    now = now or timezone.now()
    tz = timezone.get_current_timezone_name()
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT landline_id, date_trunc('month', started_at AT TIME ZONE %s)::date,
                   SUM(charged), COUNT(*)
              FROM billing_callrecord WHERE cdr_import_id = %s AND charged > 0
             GROUP BY 1, 2 ORDER BY 1, 2""", [tz, cdr_import.pk])
        groups = cursor.fetchall()
    if not groups:
        return 0
    BalanceEntry.objects.bulk_create([BalanceEntry(
        landline_id=landline_id, kind=LedgerKind.CALLS, amount=-total, period=period,
        cdr_import=cdr_import, by=user, at=now,
        note=_("%(count)d calls in %(month)s") % {"count": count, "month": f"{period:%Y-%m}"})
        for landline_id, period, total, count in groups], batch_size=1000)
    negative = LandlineAccount.objects.filter(
        pk__in={g[0] for g in groups}, balance__lt=0, state=LandlineState.ACTIVE)
    accounts_services.landlines_bar(
        user=user, ids=list(negative.values_list("pk", flat=True)),
        note_for=lambda account: _("Balance ¥%(balance)s: barred for arrears")
        % {"balance": account.balance})
    return len(groups)


def cdr_import_run(*, cdr_import: CdrImport, max_lines: int = 20000, user=None,
                   progress=None) -> CdrImport:
    """Rate a whole file (the command; the page advances it a chunk per poll)."""
    job = cdr_import
    while job.status != CdrImportStatus.DONE:
        job = cdr_import_step(cdr_import=job, max_lines=max_lines, user=user)
        if progress is not None:
            progress(job)
    return job


def import_summary(job: CdrImport) -> dict:
    """Totals per call type of an import (for its page)."""
    rows = (CallRecord.objects.filter(cdr_import=job).values("call_type")
            .annotate(charge=Sum("charge"), charged=Sum("charged")).order_by("call_type"))
    return {CallType(row["call_type"]).label: row for row in rows}
