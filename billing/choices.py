from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentMethod(models.TextChoices):
    """How the customer paid (recorded, not processed: no card or wallet integration)."""

    CASH = "cash", _("Cash")
    CARD = "card", _("Bank card")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")


class ReceiptStatus(models.TextChoices):
    ISSUED = "issued", _("Valid")
    VOID = "void", _("Void")


class ReceiptPurpose(models.TextChoices):
    INSTALL = "install", _("New installation")
    RENEWAL = "renewal", _("Renewal")
    PLAN_CHANGE = "plan_change", _("Plan change at term end")
    TOP_UP = "top_up", _("Landline top-up")
    MOVE = "move", _("Move")
    EXTRA_POINTS = "extra_points", _("Extra information points")
    ROUTER_SETUP = "router_setup", _("Router setup")
    OTHER = "other", _("Other")


class LedgerKind(models.TextChoices):
    """What moved a landline's prepaid balance (one ledger row each; see BalanceEntry)."""

    DEPOSIT = "deposit", _("Deposit")  # money taken at the counter, on a receipt
    CHARGE = "charge", _("Charge")  # a one-off charge
    RENT = "rent", _("Monthly rent")  # the plan's rent and caller ID for one month
    ADD_ON = "add_on", _("Add-on fee")  # one add-on for one month
    CALLS = "calls", _("Calls")  # the rated calls of one import, one month
    ADJUSTMENT = "adjustment", _("Adjustment")  # by a manager, with a reason
    REVERSAL = "reversal", _("Voided receipt")  # a voided top-up taken back off
    OPENING = "opening", _("Opening balance")  # a line created with a balance


# Kinds that take money off the balance (negative amounts) / put it on (positive).
DEBIT_KINDS = [LedgerKind.CHARGE, LedgerKind.RENT, LedgerKind.ADD_ON, LedgerKind.CALLS,
               LedgerKind.REVERSAL]
CREDIT_KINDS = [LedgerKind.DEPOSIT]


class CallType(models.TextChoices):
    LOCAL = "local", _("Local")
    DOMESTIC = "domestic", _("Domestic long distance")
    INTERNATIONAL = "international", _("International")


class CallStatus(models.TextChoices):
    RATED = "rated", _("Rated")
    FLAGGED = "flagged", _("Flagged: line cannot call abroad")


class CdrImportStatus(models.TextChoices):
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
