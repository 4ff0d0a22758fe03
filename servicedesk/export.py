"""Excel/CSV export that a spreadsheet cannot turn into a formula (CSV/formula injection).

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
read by Excel, LibreOffice and openpyxl as a formula (``=HYPERLINK(...)``,
``@SUM(...)``, ``-2+3``); a subscriber named ``=cmd|' /C calc'!A0`` would run in the
clerk's spreadsheet. Such text gets a leading apostrophe (OWASP's advice), which shows
the text as typed. Real numbers are left alone: a ``Decimal`` stays a number, and a text
that is only a negative number (``-12.50``) stays as it is.
"""

from __future__ import annotations

import re

from django_tables2.export import TableExport

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def neutralize(value):
    if isinstance(value, str) and value.startswith(FORMULA_START) \
            and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


class SafeTableExport(TableExport):
    def table_to_dataset(self, table, exclude_columns, dataset_kwargs=None):
        dataset = super().table_to_dataset(table, exclude_columns, dataset_kwargs)
        headers = dataset.headers
        rows = [tuple(neutralize(cell) for cell in row) for row in dataset]
        dataset.wipe()
        dataset.headers = headers
        for row in rows:
            dataset.append(row)
        return dataset
