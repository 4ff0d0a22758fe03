"""Reads of the customer register that views (and other apps) share.

The header search box (``subscriber_search``) classifies what was typed and runs only
the indexed lookups that fit it, each bounded, so it answers at once at a million
subscribers:

=====================  ===================================  ================================
typed                  example                              lookup (index)
=====================  ===================================  ================================
ID number              610102198001011234                   UPPER(id_number) = (B-tree)
registration serial    DW20261122001, dw20261122001         registration_serial IN (B-tree)
account name           dw0120502, dw01205                   account_name = / LIKE (trigram)
premises               馨苑 1#-2-502, 1-2-502, 1栋2单元502      (building, unit, room) (B-tree)
digits (3 or more)     13912345678, 5678, 029-86860001      mobile/phone/number LIKE (trigram)
a name, 1-2 chars      张, 晓梅                              name LIKE 'xy%' (varchar_pattern)
a name, 3+ chars       李晓梅, 大为商贸                       name LIKE '%xyz%' (trigram)
=====================  ===================================  ================================

Substring lookups use ``__contains`` (``col LIKE '%x%'``), not ``__icontains``: Django
writes the latter as ``UPPER(col) LIKE UPPER('%x%')``, which no index on the bare
column can serve. Names and numbers have no case; account names are lowercased first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import BroadbandState
from accounts.models import (
    AccountStateChange,
    BroadbandAccount,
    LandlineAccount,
    Premises,
    SensitiveAccess,
    Subscriber,
)
from accounts.validators import normalize_id_number
from servicedesk.models import ServicePoint
from servicedesk.timeline import TimelineEntry

SEARCH_LIMIT = 50
QUERY_MAX_LENGTH = 60

ID_NUMBER_RE = re.compile(r"^\d{17}[\dX]$")
SERIAL_RE = re.compile(r"^[A-Za-z]{1,4}\d{11}$")
ACCOUNT_NAME_RE = re.compile(r"^[A-Za-z]{1,4}\d{1,7}$")
PHONE_RE = re.compile(r"^\+?[\d\s\-()（）]+$")
PREMISES_RE = re.compile(
    r"^(?P<place>\D*?)\s*"
    r"(?P<building>\d{1,2})\s*(?:#\s*-?|号楼|栋|幢|-|－)\s*"
    r"(?P<unit>\d)\s*(?:单元|-|－)\s*"
    r"(?P<room>\d{1,4})\s*(?:室|号)?$"
)


class SearchKind:
    ID_NUMBER = "id_number"
    SERIAL = "serial"
    ACCOUNT_NAME = "account_name"
    PREMISES = "premises"
    PHONE = "phone"
    NAME = "name"
    NONE = ""


SEARCH_KIND_LABELS = {
    SearchKind.ID_NUMBER: gettext_lazy("ID number"),
    SearchKind.SERIAL: gettext_lazy("registration serial"),
    SearchKind.ACCOUNT_NAME: gettext_lazy("account name"),
    SearchKind.PREMISES: gettext_lazy("premises"),
    SearchKind.PHONE: gettext_lazy("phone number"),
    SearchKind.NAME: gettext_lazy("name"),
}


@dataclass
class Classified:
    """What the query looks like, and the cleaned value(s) to look up."""

    kind: str
    value: str = ""
    premises: dict = field(default_factory=dict)
    place: str = ""


def clean_query(query: str) -> str:
    """Trimmed, single-spaced, without NULs (Postgres refuses them), at most 60 chars."""
    query = (query or "").replace("\x00", "")
    return " ".join(query.split())[:QUERY_MAX_LENGTH]


def classify_query(query: str) -> Classified:
    """Pure: which kind of thing ``query`` is (see the module docstring)."""
    query = clean_query(query)
    if not query:
        return Classified(SearchKind.NONE)
    compact = query.replace(" ", "")
    if ID_NUMBER_RE.match(normalize_id_number(compact)):
        return Classified(SearchKind.ID_NUMBER, normalize_id_number(compact))
    if SERIAL_RE.match(compact):
        return Classified(SearchKind.SERIAL, compact)
    if ACCOUNT_NAME_RE.match(compact):
        return Classified(SearchKind.ACCOUNT_NAME, compact.lower())
    match = PREMISES_RE.match(query)  # before digits: "1-2-502" is a room, not a phone
    if match:
        numbers = {k: int(match[k]) for k in ("building", "unit", "room")}
        return Classified(SearchKind.PREMISES, query, premises=numbers,
                          place=match["place"].strip())
    if PHONE_RE.match(query):
        return Classified(SearchKind.PHONE, re.sub(r"\D", "", query))
    return Classified(SearchKind.NAME, query)


def _local_number(digits: str) -> str:
    """``02986860001`` → ``86860001``; ``8613912345678`` → ``13912345678``."""
    if digits.startswith("86") and len(digits) == 13:
        return digits[2:]
    if digits.startswith("0") and len(digits) > 8:
        return digits[-8:]
    return digits


def _ids(queryset: QuerySet, column: str = "pk") -> QuerySet:
    # No ORDER BY: sorting by the model's ordering would make Postgres walk that index
    # instead of the lookup's own, and read every match to sort it. Any 50 will do.
    return queryset.order_by().values_list(column, flat=True)[:SEARCH_LIMIT]


def search_lookups(user, classified: Classified) -> list[QuerySet]:
    """The bounded id lookups for a classified query, each scoped to ``user``.

    Each yields subscriber ids; the test suite EXPLAINs them to prove they use indexes.
    """
    subscribers = Subscriber.objects.restrict(user)
    broadband = BroadbandAccount.objects.restrict(user)
    landline = LandlineAccount.objects.restrict(user)
    value = classified.value
    kind = classified.kind
    if kind == SearchKind.ID_NUMBER:
        return [_ids(subscribers.filter(id_number__iexact=value))]
    if kind == SearchKind.SERIAL:
        # The case of the code tells the form: DW… broadband, dw… landline (§4.0.9).
        code = re.match(r"[A-Za-z]+", value).group()
        lookups = []
        if not code.islower():
            lookups.append(_ids(broadband.filter(registration_serial=value.upper()),
                                "subscriber_id"))
        if not code.isupper():
            lookups.append(_ids(landline.filter(registration_serial=value.lower()),
                                "subscriber_id"))
        return lookups
    if kind == SearchKind.ACCOUNT_NAME:
        if re.match(r"^[a-z]{1,4}\d{7}$", value):
            return [_ids(broadband.filter(account_name=value), "subscriber_id")]
        if len(value) < 3:
            return []
        return [_ids(broadband.filter(account_name__contains=value), "subscriber_id")]
    if kind == SearchKind.PHONE:
        if len(value) < 3:
            return []
        number = _local_number(value)
        return [
            _ids(subscribers.filter(mobile__contains=number)),
            _ids(subscribers.filter(phone__contains=number)),
            _ids(landline.filter(phone_number__contains=number), "subscriber_id"),
            _ids(broadband.filter(account_name__contains=value), "subscriber_id"),
        ]
    if kind == SearchKind.PREMISES:
        premises = Premises.objects.restrict(user).filter(**classified.premises)
        if classified.place:
            place = classified.place
            points = ServicePoint.objects.filter(Q(name__contains=place) | Q(code__iexact=place))
            premises = premises.filter(service_point__in=points)
        premises_ids = premises.order_by().values_list("pk", flat=True)[:SEARCH_LIMIT]
        return [
            _ids(subscribers.filter(home__in=premises_ids)),
            _ids(broadband.filter(premises__in=premises_ids), "subscriber_id"),
            _ids(landline.filter(premises__in=premises_ids), "subscriber_id"),
        ]
    if kind == SearchKind.NAME:
        if len(value) <= 2:
            return [_ids(subscribers.filter(name__startswith=value))]
        return [_ids(subscribers.filter(name__contains=value))]
    return []


@dataclass
class SearchResult:
    query: str
    kind: str
    subscribers: list[Subscriber]
    hint: str = ""

    @property
    def kind_label(self) -> str:
        return str(SEARCH_KIND_LABELS.get(self.kind, ""))


def subscriber_search(user, query: str) -> SearchResult:
    """Subscribers matching ``query`` (at most 50), with their homes and accounts."""
    query = clean_query(query)
    classified = classify_query(query)
    lookups = search_lookups(user, classified)
    hint = ""
    if classified.kind == SearchKind.PHONE and len(classified.value) < 3:
        hint = _("Type at least 3 digits of a phone number.")
    elif classified.kind == SearchKind.ACCOUNT_NAME and not lookups:
        hint = _("Type at least 3 characters of an account name.")
    ids: dict[int, None] = {}  # ordered, without repeats
    for lookup in lookups:
        ids.update(dict.fromkeys(lookup))
        if len(ids) >= SEARCH_LIMIT:
            break
    found = []
    if ids:
        wanted = list(ids)[:SEARCH_LIMIT]
        found = list(with_accounts(Subscriber.objects.restrict(user).filter(pk__in=wanted))
                     .order_by("name", "pk"))
    return SearchResult(query=query, kind=classified.kind, subscribers=found, hint=hint)


# --- the subscriber page ----------------------------------------------------------------


def broadband_for_display() -> QuerySet:
    return BroadbandAccount.objects.select_related(
        "plan", "carrier", "premises__service_point", "installer"
    ).order_by("state", "account_name")


def landline_for_display() -> QuerySet:
    return (
        LandlineAccount.objects.select_related("plan", "carrier", "premises__service_point",
                                               "bundled_with")
        .prefetch_related("add_ons")
        .order_by("state", "phone_number")
    )


def with_accounts(subscribers: QuerySet) -> QuerySet:
    """Subscribers with their home and every account, in a fixed number of queries."""
    return subscribers.select_related("service_point", "home__service_point").prefetch_related(
        Prefetch("broadbandaccount_set", queryset=broadband_for_display()),
        Prefetch("landlineaccount_set", queryset=landline_for_display()),
    )


def recent_sensitive_access(subscriber: Subscriber, limit: int = 10) -> list[SensitiveAccess]:
    return list(subscriber.sensitive_accesses.select_related("by")[:limit])


def state_change_timeline(subscriber: Subscriber, user) -> list[TimelineEntry]:
    """The register's own timeline entries: every state move of the subscriber's accounts."""
    # Through the indexed account columns with the ids written out (a BitmapOr of two
    # index scans, ~2 ms at 1M subscribers). Filtering on the joined accounts' subscriber,
    # or on "IN (subquery)", scans the whole history instead (0.3-1 s): the planner cannot
    # tell how few ids the subqueries give. The accounts come from the page's prefetch.
    broadband_ids = [account.pk for account in subscriber.broadbandaccount_set.all()]
    landline_ids = [account.pk for account in subscriber.landlineaccount_set.all()]
    if not broadband_ids and not landline_ids:
        return []
    changes = (
        AccountStateChange.objects.filter(
            Q(broadband__in=broadband_ids) | Q(landline__in=landline_ids)
        )
        .select_related("broadband", "landline")
        .order_by("-at")[:30]
    )
    entries = []
    for change in changes:
        account = change.broadband or change.landline
        state = account.state_label(change.to_state)
        entries.append(TimelineEntry(
            at=change.at,
            kind=str(account._meta.verbose_name),
            title=f"{account} → {state}" + (f" ({change.note})" if change.note else ""),
            url=account.get_absolute_url(),
        ))
    return entries


def subscriber_actions(subscriber: Subscriber, user) -> list:
    """Buttons from every app in ``settings.SUBSCRIBER_ACTIONS`` (new order, fault…)."""
    actions = []
    for dotted in settings.SUBSCRIBER_ACTIONS:
        actions.extend(import_string(dotted)(subscriber, user))
    return actions


TIMELINE_LENGTH = 30


def subscriber_timeline(subscriber: Subscriber, user) -> list[TimelineEntry]:
    """Entries from every app in ``settings.SUBSCRIBER_TIMELINE_SOURCES``, newest first."""
    entries: list[TimelineEntry] = []
    for dotted in settings.SUBSCRIBER_TIMELINE_SOURCES:
        entries.extend(import_string(dotted)(subscriber, user))
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:TIMELINE_LENGTH]


# --- lists and the home page -----------------------------------------------------------


def broadband_expiring(user, *, within_days: int, today: date | None = None) -> QuerySet:
    """Active broadband accounts whose term ends within ``within_days`` (renewal calls)."""
    today = today or timezone.localdate()
    return BroadbandAccount.objects.restrict(user).filter(
        state=BroadbandState.ACTIVE,
        expires_on__gte=today,
        expires_on__lte=today + timedelta(days=within_days),
    )
