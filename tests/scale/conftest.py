"""Scale tests: quick ones run in `make test`; slow ones are marked ``@pytest.mark.scale``
and skipped unless ``--run-scale`` is given (``pytest tests/scale --run-scale``) or
``RUN_SCALE=1`` is set (the option is only known when pytest starts in tests/scale)."""

import os

import pytest


def pytest_addoption(parser):
    parser.addoption("--run-scale", action="store_true", default=False,
                     help="also run the slow @pytest.mark.scale tests")


def pytest_collection_modifyitems(config, items):
    try:
        run_scale = config.getoption("--run-scale")
    except ValueError:  # this conftest was loaded after option parsing
        run_scale = False
    if run_scale or os.environ.get("RUN_SCALE") == "1":
        return
    skip = pytest.mark.skip(reason="slow scale test: pass --run-scale (or RUN_SCALE=1)")
    for item in items:
        if item.get_closest_marker("scale"):
            item.add_marker(skip)
