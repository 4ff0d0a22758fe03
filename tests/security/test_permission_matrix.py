"""The permission matrix: every URL of the project × anonymous, each role and a clerk of
another service point × GET and POST, compared with tests/security/permissions.py.

URLs come from the resolver (recursively, namespaces included), so a page added tomorrow
is checked tomorrow: without an entry the test fails and prints the entry to add. The
objects in the URLs come from the demo data (each app's demo loader). Every request runs
in a savepoint that is rolled back, so a POST that gets through changes nothing for the
next cell. Run with ``-s`` to see the matrix; it is also printed when the test fails.
"""

from __future__ import annotations

import io
import logging
import re
import time
from urllib.parse import urlparse

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils.module_loading import import_string

from servicedesk.models import User
from servicedesk.views.generic import ObjectListView
from tests.fixtures.demo import use_small_demo
from tests.security.permissions import (
    EXPECTED,
    MODEL_FOR,
    NAMESPACE_DEFAULTS,
    PUBLIC,
    SAMPLE_VALUES,
    SKIP,
)

pytestmark = pytest.mark.django_db

IDENTITIES = {"c": "clerk", "o": "clerk_qj", "a": "agent", "i": "installer", "m": "manager"}
LOGIN_PATHS = {"/login/", "/admin/login/"}
ADMIN_ALL = {"admin:index", "admin:login", "admin:logout"}


def iter_urls(resolver=None, namespace=None):
    """(full name, URLPattern) for every named pattern, depth first."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(n for n in (namespace, pattern.namespace) if n) or None
            yield from iter_urls(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern


def view_model(pattern: URLPattern, name: str):
    callback = pattern.callback
    initkwargs = getattr(callback, "view_initkwargs", {}) or {}
    view_class = getattr(callback, "view_class", None) or getattr(callback, "model_admin", None)
    queryset = initkwargs.get("queryset") or getattr(view_class, "queryset", None)
    model = (getattr(queryset, "model", None) or initkwargs.get("model")
             or getattr(view_class, "model", None))
    if name in MODEL_FOR:
        model = apps.get_model(MODEL_FOR[name])
    if model is None and name.startswith("admin:"):
        match = re.fullmatch(r"admin:(\w+?)_(\w+)_(change|delete|history)", name)
        if match:
            try:
                model = apps.get_model(match[1], match[2])
            except LookupError:
                model = None
    return model


def sample_object(model, clerk):
    """(object, whether the 馨苑 clerk can see it): the lowest pk the clerk can see, else the
    lowest pk of all (another point's, or a record clerks never see). Seeded demo data, so
    the same object every run."""
    objects = model._default_manager.order_by("pk")
    if hasattr(objects, "restrict"):
        obj = objects.restrict(clerk).first()
        if obj is not None:
            return obj, True
        return objects.first(), False
    if any(f.name == "service_point" for f in model._meta.fields):
        obj = objects.filter(service_point=clerk.service_point).first()
        if obj is not None:
            return obj, True
    return objects.first(), False


def clerk_allowed(name: str) -> bool:
    entry = EXPECTED.get(name) or NAMESPACE_DEFAULTS.get(name.split(":")[0], "/")
    return any("c" in cells for cells in parse(entry))


def url_kwargs(name: str, pattern: URLPattern, clerk):
    keys = set(pattern.pattern.converters) | set(
        re.findall(r"<(?:\w+:)?(\w+)>", str(pattern.pattern)))
    if not keys:
        return {}, None
    model = view_model(pattern, name)
    kwargs = {}
    obj = None
    if {"pk", "object_id", "id"} & keys:
        if model is None:
            return None, "cannot tell which model the URL's pk is for"
        obj, seen_by_clerk = sample_object(model, clerk)
        if obj is None:
            return None, f"no {model._meta.label} in the demo data"
        if not seen_by_clerk and clerk_allowed(name):
            # The clerk's "through" would be a 404 on another point's record.
            return None, f"no {model._meta.label} the 馨苑 clerk can see in the demo data"
    for key in keys:
        if key in ("pk", "object_id", "id"):
            kwargs[key] = obj.pk
        elif key == "content_type_id":
            kwargs[key] = ContentType.objects.get_for_model(obj or User).pk
        elif key in SAMPLE_VALUES:
            kwargs[key] = SAMPLE_VALUES[key]
        else:
            return None, f"no sample value for <{key}>"
    return kwargs, None


def outcome(response, has_object: bool) -> str:
    """'Y' through, 'N' denied, 'L' sent to a login page, 'E' anything else (a bug).

    A 400 is a form error: through. A 404 on a URL naming an object is the scope hiding
    it (denied); on a URL without one it is the view not finding what the (empty) form
    named, so the request got through the permission checks.
    """
    status = response.status_code
    if status in (301, 302) and urlparse(response["Location"]).path in LOGIN_PATHS:
        return "L"
    if status <= 400 or (status == 404 and not has_object):
        return "Y"
    if status in (403, 404, 405):
        return "N"
    return "E"


def parse(entry: str) -> tuple[set[str], set[str]]:
    get, _, post = entry.partition("/")
    expand = lambda s: set(IDENTITIES) if s.strip() == "*" else set(s.strip())  # noqa: E731
    return expand(get), expand(post)


def suggest(observed: dict) -> str:
    order = "coaim"
    get = "".join(k for k in order if observed.get(("GET", k), "N")[0] == "Y")
    post = "".join(k for k in order if observed.get(("POST", k), "N")[0] == "Y")
    return f"{'*' if get == order else get}/{'*' if post == order else post}"


def load_demo(monkeypatch: pytest.MonkeyPatch):
    use_small_demo(monkeypatch)
    # Loaded as if it were noon yesterday: the demo's counter days (receipts 9-17h, a day
    # close with cash in it) then never depend on the hour the test runs at.
    from datetime import datetime, timedelta
    from datetime import time as clock

    from django.utils import timezone

    noon = timezone.make_aware(datetime.combine(timezone.localdate() - timedelta(days=1),
                                                clock(12)))
    monkeypatch.setattr(timezone, "now", lambda: noon)
    problems = []
    for dotted in settings.DEMO_LOADERS:
        try:
            with transaction.atomic():
                import_string(dotted)(seed=2026, stdout=io.StringIO())
        except Exception as exc:  # reported: URLs needing its objects will say so
            problems.append(f"{dotted}: {type(exc).__name__}: {str(exc)[:200]}")
    return problems


@pytest.fixture
def quick_pdfs(monkeypatch):
    """PDF views render their template but skip WeasyPrint (~1 s a page on a busy machine):
    the matrix is about who gets through, tests/counter/test_pdfs.py about the paper."""
    import weasyprint

    class _StubHTML:
        def __init__(self, string="", **kwargs):
            self.string = string

        def write_pdf(self, **kwargs):
            return b"%PDF-1.4\n% permission matrix stub\n%%EOF\n"

    monkeypatch.setattr(weasyprint, "HTML", _StubHTML)


def test_every_url_answers_each_identity_as_expected(capsys, monkeypatch, quick_pdfs):
    started = time.perf_counter()
    with pytest.MonkeyPatch.context() as demo_patch:  # undone before the requests
        loader_problems = load_demo(demo_patch)
    monkeypatch.setattr(ObjectListView, "per_page", 5)  # a list's cost is not the point
    demo_seconds = time.perf_counter() - started
    users = {k: User.objects.get(username=u) for k, u in IDENTITIES.items()}
    clients = {"-": Client(raise_request_exception=False)}
    for key, user in users.items():
        clients[key] = Client(raise_request_exception=False)
        clients[key].force_login(user)

    rows, missing, wrong, unbuildable, timings, skipped = [], [], [], [], [], []
    request_logger = logging.getLogger("django.request")
    level, request_logger.level = request_logger.level, logging.CRITICAL  # 403/404 noise
    for name, pattern in iter_urls():
        started = time.perf_counter()
        if name in SKIP:
            skipped.append(f"{name}: {SKIP[name]}")
            continue
        kwargs, why = url_kwargs(name, pattern, users["c"])
        if kwargs is None:
            unbuildable.append(f"{name}: {why}")
            continue
        try:
            url = reverse(name, kwargs=kwargs)
        except NoReverseMatch as exc:
            unbuildable.append(f"{name}: {exc}")
            continue
        observed = {}
        # Django's admin gates every page alike (admin_view): its model pages are asked
        # as anonymous and as the manager (the most trusted role) only.
        who = clients if not name.startswith("admin:") or name in ADMIN_ALL else {
            k: clients[k] for k in ("-", "m")}
        for method in ("GET", "POST"):
            for key, client in who.items():
                with transaction.atomic():
                    response = getattr(client, method.lower())(url)
                    transaction.set_rollback(True)
                observed[(method, key)] = (outcome(response, bool(kwargs)),
                                           response.status_code)
                if name == "logout" and key != "-":
                    client.force_login(users[key])
        rows.append((name, observed))
        timings.append((time.perf_counter() - started, name))

        entry = EXPECTED.get(name)
        if entry is None and ":" in name:
            entry = NAMESPACE_DEFAULTS.get(name.split(":")[0])
        if entry is None:
            missing.append(f'    "{name}": "{suggest(observed)}",')
            continue
        allowed = dict(zip(("GET", "POST"), parse(entry), strict=True))
        for (method, key), (result, status) in observed.items():
            if name in PUBLIC:  # no sign-in needed: anything but a server error
                expect, ok = "Y", result != "E"
            elif key == "-":
                expect = "L"
                ok = result == expect
            else:
                expect = "Y" if key in allowed[method] else "N"
                ok = result == expect or (expect == "N" and result == "L")
            if not ok:
                wrong.append(f"{method} {url} ({name}) as {IDENTITIES.get(key, 'anonymous')}: "
                             f"{status}, expected {'through' if expect == 'Y' else 'denied'}")

    request_logger.level = level
    table = render(rows)
    slowest = ", ".join(f"{n} {t:.2f}s" for t, n in sorted(timings, reverse=True)[:5])
    with capsys.disabled():
        print("\nnot requested: " + "; ".join(skipped) if skipped else "")
        print(f"\n{table}\ndemo data {demo_seconds:.1f}s, requests "
              f"{sum(t for t, _ in timings):.1f}s; slowest: {slowest}")
    problems = []
    if loader_problems:
        problems.append("demo loaders failed (their objects are missing):\n  "
                        + "\n  ".join(loader_problems))
    if unbuildable:
        problems.append("URLs the matrix cannot request:\n  " + "\n  ".join(unbuildable))
    if missing:
        problems.append(
            f"{len(missing)} URL name(s) without an entry in tests/security/permissions.py "
            "(suggested from what they do now; check, then paste into EXPECTED):\n"
            + "\n".join(missing))
    if wrong:
        problems.append(f"{len(wrong)} cell(s) differ from the expected matrix:\n  "
                        + "\n  ".join(wrong))
    errors = [f"{name} {m} as {k}: {s}" for name, obs in rows
              for (m, k), (r, s) in obs.items() if r == "E"]
    if errors:
        problems.append("server errors:\n  " + "\n  ".join(errors))
    assert not problems, "\n\n".join(problems)


def render(rows) -> str:
    keys = ["-", *IDENTITIES]
    head = "GET: " + " ".join(f"{k:>3}" for k in keys) + " | POST: " + " ".join(
        f"{k:>3}" for k in keys)
    width = max(len(name) for name, _ in rows)
    lines = [f"PERMISSION MATRIX ({len(rows)} URLs; - anonymous, "
             + ", ".join(f"{k} {v}" for k, v in IDENTITIES.items()) + ")",
             f"{'':<{width}}  {head}"]
    for name, observed in rows:
        cells = [" ".join(f"{observed.get((m, k), ('', '·'))[1]:>3}" for k in keys)
                 for m in ("GET", "POST")]
        lines.append(f"{name:<{width}}  GET: {cells[0]} | POST: {cells[1]}")
    return "\n".join(lines)
