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
    DEPOSIT = "deposit", _("Deposit")
    CHARGE = "charge", _("Charge")
