"""The call desk's demo data: weeks of tickets in every state, loaded twice = once."""


from django.utils import timezone

from tickets import demo_calldesk
from tickets.models import CarrierDesk, Complaint, Fault, HandOver, Inquiry
from tickets.models.calldesk import REPAIR_STATES


def test_demo_data_covers_the_desk_and_loads_once(db):
    from accounts import demo as accounts_demo
    from servicedesk import demo as core_demo

    core_demo.load(seed=2026)
    accounts_demo.load(seed=2026)
    demo_calldesk.load(seed=2026)

    fault_states = set(Fault.objects.values_list("state", flat=True))
    assert {"closed", "fixed", "dispatched"} <= fault_states, fault_states
    assert len(fault_states) >= 5, fault_states
    assert Fault.objects.filter(state__in=REPAIR_STATES, due_at__lt=timezone.now()).exists()
    assert Fault.objects.filter(failed_callbacks__gt=0).exists()
    assert set(Fault.objects.values_list("mark", flat=True)) == {"X", "Q", "R", "D180", "DC"}
    assert Fault.objects.filter(subscriber__isnull=True).exists()  # typed carrier numbers
    assert len(set(Complaint.objects.values_list("state", flat=True))) >= 3
    assert Complaint.objects.filter(state="merged").exists()
    assert Inquiry.objects.exists() and HandOver.objects.exists()
    assert CarrierDesk.objects.get(source="telecom_180").phone == "88217901"

    counts = (Fault.objects.count(), Complaint.objects.count(), Inquiry.objects.count())
    again = demo_calldesk.load(seed=2026)
    assert (Fault.objects.count(), Complaint.objects.count(), Inquiry.objects.count()) == counts
    assert "already" in again
