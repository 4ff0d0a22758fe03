"""Demo landline billing: history for balances, statements, low and barred lines; once."""

from accounts.models import LandlineAccount
from billing import demo
from billing.models import BalanceEntry, CallRecord
from tests.billing_landline.conftest import check_deferred


def test_demo_billing_loads_once_with_low_and_barred_lines(make_line):
    for n in range(4):
        make_line(f"6800200{n}", plan="yuezu")
    summary = demo.load(seed=2026)
    assert "calls rated" in summary
    counts = (BalanceEntry.objects.count(), CallRecord.objects.count())
    assert counts[1] > 10
    assert BalanceEntry.objects.filter(kind="rent").values("period").distinct().count() == 3
    demo.load(seed=2026)
    assert (BalanceEntry.objects.count(), CallRecord.objects.count()) == counts
    assert LandlineAccount.objects.filter(state="barred").exists()  # 3 x 20.00 rent, no money
    check_deferred()
