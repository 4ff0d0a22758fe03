"""Fixtures of the counter: open receipt books, and orders made through the services."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from billing import services as billing
from tests.fixtures.register import valid_id_number
from tickets.services import workorders as wo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: str, hm: str = "10:00") -> datetime:
    """An aware Shanghai datetime: ``at("2026-03-10", "18:30")``."""
    return datetime.fromisoformat(f"{day}T{hm}:00").replace(tzinfo=SHANGHAI)


def id_number(n: int) -> str:
    """Not the register's ``valid_id_number(n)``: 长安区 610113, born on a June day."""
    return valid_id_number(n, born=f"198506{(n % 28) + 1:02d}", region="610113")


@pytest.fixture
def books(manager, xinyuan, qujiang, tariffs):
    """An open receipt book at 馨苑 (DW 1-500) and at 曲江观邸 (QJ 1-500)."""
    return {
        "dw": billing.receipt_book_open(user=manager, service_point=xinyuan, series="DW2026A",
                                        first_number=1, last_number=500),
        "qj": billing.receipt_book_open(user=manager, service_point=qujiang, series="QJ2026A",
                                        first_number=1, last_number=500),
    }


@pytest.fixture
def install(clerk, xinyuan, annual_plan, books):
    """``install(n=1, **overrides)``: a new broadband order at 馨苑 1#-<n>-<500+n>."""

    def make(n: int = 1, user=None, **overrides):
        kwargs = {
            "user": user or clerk, "service_point": xinyuan,
            "new_subscriber": {"kind": "person", "name": f"张伟{n}",
                               "id_number": id_number(n), "mobile": "13912345678"},
            "building": 1, "unit": 2, "room": 500 + n, "broadband_plan": annual_plan,
            "payment_method": "cash", "now": at("2026-03-10"),
        }
        kwargs.update(overrides)
        return wo.install_order_open(**kwargs)

    return make


@pytest.fixture
def lines():
    def make(*amounts):
        return [billing.Line(f"项目{i}", Decimal(a)) for i, a in enumerate(amounts, start=1)]

    return make


def new_key() -> uuid.UUID:
    return uuid.uuid4()


@pytest.fixture
def english():
    """Service messages in English (their msgids), so a test matches them whatever the
    catalogue says; the view tests check the Chinese the clerk reads."""
    from django.utils import translation

    with translation.override("en"):
        yield
