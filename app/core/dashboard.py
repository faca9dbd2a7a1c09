"""The dashboard is assembled from panels that each domain registers.

A panel is a function `(user) -> dict | None`, or `(user, shared) -> dict | None`; the dict
holds `template` (a partial under templates/) and the values that partial needs. Returning
None hides the panel. Panels run in `order`; each must plan its own queries (no lazy loading
in its template). `shared` (a `Shared`) lets the panels of one dashboard read a value once
(`shared.of(fn, *args)`: the open cycle, the organisation), instead of each panel asking the
database again.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    order: int
    roles: tuple[str, ...]
    build: Callable
    takes_shared: bool = False


class Shared:
    """What the panels of one dashboard read once: `of(fn, *args)` calls `fn(*args)` the
    first time and gives the same value afterwards."""

    def __init__(self):
        self._values: dict = {}

    def of(self, fn: Callable, *args):
        key = (fn, args)
        if key not in self._values:
            self._values[key] = fn(*args)
        return self._values[key]


_PANELS: list[Panel] = []


def panel(order: int, *roles: str):
    def decorator(fn):
        if not any(
            p.build.__qualname__ == fn.__qualname__ and p.build.__module__ == fn.__module__
            for p in _PANELS
        ):
            takes_shared = len(inspect.signature(fn).parameters) > 1
            _PANELS.append(Panel(order, roles, fn, takes_shared))
            _PANELS.sort(key=lambda p: p.order)
        return fn

    return decorator


def panels_for(user, shared: Shared | None = None) -> list[dict]:
    shared = shared if shared is not None else Shared()
    built = []
    for p in _PANELS:
        if p.roles and user.role not in p.roles:
            continue
        result = p.build(user, shared) if p.takes_shared else p.build(user)
        if result:
            built.append(result)
    return built
