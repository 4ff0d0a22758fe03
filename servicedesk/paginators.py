"""The list pages' paginator: a page of keys first, then those rows with their joins.

A list's queryset joins the tables its columns show (``select_related``: a work order's
service point, premises, receipt and its book, two users, carrier). At a million rows
PostgreSQL spent 50-90 ms *planning* that query (7 joins, each way to read the order
table's 28 indexes weighed against the others) for ~1 ms of execution. Read in two
steps, the page's primary keys in the list's order from the table alone (an index, no
join to plan: ~0.2 ms) and then those rows with their joins by key (~15 ms to plan,
~1 ms to run), the same page costs a query more and a fraction of the time.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django_tables2.paginators import LazyPaginator
from django_tables2.rows import BoundRows


class KeysFirst:
    """A sliceable view of ``queryset`` whose slices are read keys first."""

    def __init__(self, queryset: QuerySet):
        self.queryset = queryset

    def __getitem__(self, key: slice) -> list:
        keys = list(self.queryset.values_list("pk", flat=True)[key])
        rows = {row.pk: row for row in self.queryset.order_by().filter(pk__in=keys)}
        return [rows[pk] for pk in keys if pk in rows]  # a row deleted in between: gone


class KeysFirstPaginator(LazyPaginator):
    """``LazyPaginator`` (no ``COUNT``: one row more than a page tells whether another
    follows) reading a table's queryset with joins keys first (:class:`KeysFirst`)."""

    def page(self, number):
        rows = self.object_list  # the table's BoundRows over its TableData
        queryset = getattr(getattr(rows, "data", None), "data", None)
        if not (isinstance(queryset, QuerySet) and queryset.query.select_related):
            return super().page(number)
        self.object_list = BoundRows(data=KeysFirst(queryset), table=rows.table,
                                     pinned_data=rows.pinned_data)
        try:
            return super().page(number)
        finally:
            self.object_list = rows
