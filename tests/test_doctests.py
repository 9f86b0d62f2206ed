"""The examples in the package's docstrings run and give what they say."""

import doctest
import importlib
import pkgutil

import pytest

import dashboard

MODULES = sorted(m.name for m in pkgutil.walk_packages(dashboard.__path__, "dashboard.")
                 if m.name not in ("dashboard.__main__",))


@pytest.mark.parametrize("name", MODULES)
def test_the_examples_of_a_module_hold(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} failed"
