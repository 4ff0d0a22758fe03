"""The list pages' paginator reads a page keys first, then its rows with their joins
(servicedesk/paginators.py): the same rows in the same order as one query would give."""

import django_tables2 as tables
import pytest
from django.contrib.auth import get_user_model
from django_tables2.paginators import LazyPaginator

from servicedesk.paginators import KeysFirstPaginator
from tests.factories import UserFactory

User = get_user_model()


class UserTable(tables.Table):
    point = tables.Column(accessor="service_point__name", default="")

    class Meta:
        model = User
        fields = ["username", "full_name", "point"]


@pytest.fixture
def seven_users(xinyuan, qujiang):
    for i in range(7):
        UserFactory(username=f"p{i}", full_name=f"员工{i}",
                    service_point=xinyuan if i % 2 else qujiang)


def _pages(paginator_class, per_page=3):
    pages = []
    for number in (1, 2, 3):
        table = UserTable(User.objects.filter(username__startswith="p")
                          .select_related("service_point"), order_by="-username")
        table.paginate(paginator_class=paginator_class, per_page=per_page, page=number)
        pages.append(([(row.record.username, row.get_cell("point")) for row in table.page],
                      table.page.has_next()))
    return pages


def test_keys_first_gives_the_pages_one_query_gives(seven_users, django_assert_num_queries):
    expected = _pages(LazyPaginator)
    assert [len(rows) for rows, _more in expected] == [3, 3, 1]
    assert [more for _rows, more in expected] == [True, True, False]
    with django_assert_num_queries(6):  # keys, then rows (service points joined), a page
        assert _pages(KeysFirstPaginator) == expected


def test_a_queryset_without_joins_is_read_in_one_query(seven_users,
                                                       django_assert_num_queries):
    table = UserTable(User.objects.filter(username__startswith="p"), order_by="username")
    with django_assert_num_queries(1):
        table.paginate(paginator_class=KeysFirstPaginator, per_page=3, page=1)
    assert [row.record.username for row in table.page] == ["p0", "p1", "p2"]
