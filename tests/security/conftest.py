"""The counter's fixtures (tariffs, receipt books, ``install``) for the security tests."""

from tests.counter.conftest import (  # noqa: F401
    annual_plan,
    books,
    default_ll_plan,
    install,
    own,
    tariffs,
)
