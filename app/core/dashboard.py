"""The dashboard is assembled from panels that each domain registers.

A panel is a function `(user) -> dict | None`; the dict holds `template` (a partial under
templates/) and the values that partial needs. Returning None hides the panel. Panels run
in `order`; each must plan its own queries (no lazy loading in its template).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    order: int
    roles: tuple[str, ...]
    build: Callable


_PANELS: list[Panel] = []


def panel(order: int, *roles: str):
    def decorator(fn):
        if not any(
            p.build.__qualname__ == fn.__qualname__ and p.build.__module__ == fn.__module__
            for p in _PANELS
        ):
            _PANELS.append(Panel(order, roles, fn))
            _PANELS.sort(key=lambda p: p.order)
        return fn

    return decorator


def panels_for(user) -> list[dict]:
    built = []
    for p in _PANELS:
        if p.roles and user.role not in p.roles:
            continue
        result = p.build(user)
        if result:
            built.append(result)
    return built
