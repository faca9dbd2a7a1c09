"""Every GET route must appear in some domain's access table (tests/<domain>/test_access*.py)."""

import importlib
import pkgutil

import tests

IGNORED = {"static"}


def _tables() -> dict:
    covered = {}
    for info in pkgutil.iter_modules(tests.__path__):
        if not info.ispkg:
            continue
        package = importlib.import_module(f"tests.{info.name}")
        for sub in pkgutil.iter_modules(package.__path__):
            if sub.name.startswith("test_access"):
                module = importlib.import_module(f"tests.{info.name}.{sub.name}")
                covered.update(module.ACCESS)
    return covered


def test_every_get_route_has_access_rules(app):
    covered = _tables()
    missing = sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.endpoint not in IGNORED and rule.endpoint not in covered
    )
    assert not missing, f"GET routes with no access rules in tests/*/test_access.py: {missing}"
