"""Staff roles and what each may do.

A role is a Django group of the same name; its permissions come from ``ROLE_PERMISSIONS``
and are re-applied after every ``migrate`` (see ``apps.py``), so this table is the one
place that says who may do what. Which records a user sees is the other half:
``RestrictedQuerySet.restrict(user)`` limits them to the user's service point.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CLERK = "clerk", _("Counter clerk")
    AGENT = "agent", _("Call-desk agent")
    INSTALLER = "installer", _("Installer")
    MANAGER = "manager", _("Manager")


# Read-only reference data every signed-in role may look at.
_REFERENCE = [
    "servicedesk.view_servicepoint",
]
_TARIFFS = [
    "accounts.view_carrier",
    "accounts.view_broadbandplan",
    "accounts.view_landlineplan",
    "accounts.view_addon",
    "accounts.view_fee",
]
_REGISTER_READ = [
    "accounts.view_subscriber",
    "accounts.view_premises",
    "accounts.view_broadbandaccount",
    "accounts.view_landlineaccount",
]

# The counter (billing + tickets work orders): money, receipts, install orders.
_COUNTER = [
    "billing.view_receipt",
    "billing.add_receipt",
    "billing.view_receiptbook",
    "billing.view_dailyclose",
    "billing.add_dailyclose",
    "billing.view_invoicerequest",
    "billing.add_invoicerequest",
    "billing.change_invoicerequest",
    "billing.view_balanceentry",
    "tickets.view_workorder",
    "tickets.add_workorder",
    "tickets.change_workorder",
    "tickets.dispatch_workorder",
    "tickets.view_dispatch",
    "tickets.view_carrierorderbatch",
    "tickets.add_carrierorderbatch",
    "tickets.change_carrierorderbatch",
]
# Manager only: voids of any receipt, receipt books, cancelling orders.
_COUNTER_MANAGER = [
    "billing.void_receipt",
    "billing.adjust_balance",
    "billing.add_cdrimport",
    "billing.view_cdrimport",
    "billing.add_receiptbook",
    "billing.change_receiptbook",
    "tickets.cancel_workorder",
]

# The call desk (tickets faults, complaints, cases). Clerks read; agents work them;
# installers see and mark fixed only the faults dispatched to them (FaultQuerySet).
_CALLDESK_READ = [
    "tickets.view_fault",
    "tickets.view_complaint",
    "tickets.view_inquiry",
]
_CALLDESK = [
    *_CALLDESK_READ,
    "tickets.add_fault",
    "tickets.change_fault",
    "tickets.add_complaint",
    "tickets.change_complaint",
    "tickets.add_inquiry",
    "tickets.change_inquiry",
    "tickets.view_faultcause",
    "tickets.view_complaintrootcause",
    "tickets.view_maintenanceoffice",
    "tickets.view_carrierdesk",
    "tickets.view_calldesk_statistics",
]
# Manager only: the lists behind the call desk, and handing over anyone's matters.
_CALLDESK_MANAGER = [
    "tickets.hand_over_any",
    "tickets.add_faultcause",
    "tickets.change_faultcause",
    "tickets.add_complaintrootcause",
    "tickets.change_complaintrootcause",
    "tickets.add_maintenanceoffice",
    "tickets.change_maintenanceoffice",
    "tickets.add_carrierdesk",
    "tickets.change_carrierdesk",
]

# Retention lists (挽留): who is about to lapse, and the "called" mark on each.
_RETENTION = [
    "accounts.view_retentioncall",
    "accounts.add_retentioncall",
]

# Staff appraisal: everyone scored reads their own scorecards, reviews and reward/penalty
# records (the querysets limit them to their own); whoever enters orders or faults may flag
# an entry error on someone's record. Managers create, score and sign.
_APPRAISAL_OWN = [
    "appraisal.view_scorecard",
    "appraisal.view_callreview",
    "appraisal.view_rewardpenalty",
    "appraisal.view_yearendreview",
    "tickets.add_entryerrorflag",
]
_APPRAISAL_MANAGER = [
    *_APPRAISAL_OWN,
    "appraisal.add_scorecard",
    "appraisal.change_scorecard",
    "appraisal.sign_scorecard",
    "appraisal.view_scorecardtemplate",
    "appraisal.change_scorecardtemplate",
    "appraisal.add_callreview",
    "appraisal.view_dispute",
    "appraisal.change_dispute",
    "appraisal.add_rewardpenalty",
    "appraisal.add_yearendreview",
    "tickets.view_entryerrorflag",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.CLERK: [
        *_REFERENCE, *_TARIFFS, *_REGISTER_READ, *_COUNTER, *_CALLDESK_READ, *_RETENTION,
        *_APPRAISAL_OWN,
        "accounts.add_subscriber",
        "accounts.change_subscriber",
        "accounts.reveal_id_number",
        "accounts.add_broadbandaccount",
        "accounts.change_broadbandaccount",
        "accounts.add_landlineaccount",
        "accounts.change_landlineaccount",
        "accounts.change_account_password",
    ],
    Role.AGENT: [*_REFERENCE, *_TARIFFS, *_REGISTER_READ, "tickets.view_workorder",
                 "billing.view_balanceentry", *_CALLDESK, *_APPRAISAL_OWN],
    Role.INSTALLER: [*_REFERENCE, "tickets.view_workorder", "tickets.view_dispatch",
                     "tickets.view_fault", "tickets.fix_fault"],
    Role.MANAGER: [
        *_REFERENCE, *_TARIFFS, *_REGISTER_READ, *_COUNTER, *_COUNTER_MANAGER,
        *_CALLDESK, *_CALLDESK_MANAGER, *_RETENTION,
        *_APPRAISAL_MANAGER,
        "accounts.view_management_reports",
        "accounts.add_subscriber",
        "accounts.change_subscriber",
        "accounts.reveal_id_number",
        "accounts.add_broadbandaccount",
        "accounts.change_broadbandaccount",
        "accounts.add_landlineaccount",
        "accounts.change_landlineaccount",
        "accounts.change_account_password",
        "accounts.add_carrier",
        "accounts.change_carrier",
        "accounts.add_broadbandplan",
        "accounts.change_broadbandplan",
        "accounts.add_landlineplan",
        "accounts.change_landlineplan",
        "accounts.add_addon",
        "accounts.change_addon",
        "accounts.add_fee",
        "accounts.change_fee",
        "servicedesk.change_servicepoint",
        "servicedesk.add_servicepoint",
        "servicedesk.view_user",
        "servicedesk.view_history",
    ],
}


def sync_role_groups(using: str = "default") -> list[str]:
    """Create the role groups and set their permissions to exactly ``ROLE_PERMISSIONS``.

    Returns the permission names that do not exist (yet): ``migrate`` calls this after
    each app, so an app's permissions are picked up once that app is migrated.
    """
    from django.contrib.auth.models import Group, Permission

    # Every permission of the project in one query (this runs after each app's migrate
    # and after each flush of a transactional test).
    by_name = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.using(using).values_list(
            "pk", "content_type__app_label", "codename")
    }
    missing = []
    for role, names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=role)
        missing.extend(name for name in names if name not in by_name)
        group.permissions.set([by_name[name] for name in names if name in by_name])
    return missing
