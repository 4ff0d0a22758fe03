"""Lines whose balance was set before the ledger kept it (demo data, lines taken over
from the vendor system) get one "opening balance" ledger row for the difference, so the
balance equals the sum of the ledger from here on (the triggers of 0003 keep it so)."""

from django.db import migrations

OPENING_BALANCES = """
CREATE TEMPORARY TABLE billing_opening ON COMMIT DROP AS
SELECT a.id, a.created_at, a.balance - COALESCE(SUM(e.amount), 0) AS diff
  FROM accounts_landlineaccount a
  LEFT JOIN billing_balanceentry e ON e.landline_id = a.id
 GROUP BY a.id
HAVING a.balance - COALESCE(SUM(e.amount), 0) <> 0;

SELECT set_config('billing.ledger_posting', 'on', true);
UPDATE accounts_landlineaccount a SET balance = a.balance - o.diff
  FROM billing_opening o WHERE a.id = o.id;
SELECT set_config('billing.ledger_posting', 'off', true);

INSERT INTO billing_balanceentry (landline_id, kind, amount, balance_after, note, at)
SELECT id, 'opening', diff, 0, 'Opening balance', created_at FROM billing_opening;
"""


class Migration(migrations.Migration):

    dependencies = [
        ("billing", "0003_landline_ledger"),
    ]

    operations = [
        migrations.RunSQL(OPENING_BALANCES, reverse_sql=migrations.RunSQL.noop),
    ]
