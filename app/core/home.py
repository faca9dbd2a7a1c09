"""The home page's figures, which each domain contributes (as it does dashboard panels).

A figure is a function `() -> dict` registered with `@figure(order)`; the home page
(`templates/core/home.html`) shows the union of their dicts, built in `order`. Each plans its
own queries, constant in number (cache what scans a table: `app.core.cache`).
"""

from __future__ import annotations

from collections.abc import Callable

# "module.qualname" -> (order, build): registering the same function again replaces it.
_FIGURES: dict[str, tuple[int, Callable[[], dict]]] = {}


def figure(order: int):
    """Register a function whose dict of values the home page shows."""

    def decorator(fn: Callable[[], dict]) -> Callable[[], dict]:
        _FIGURES[f"{fn.__module__}.{fn.__qualname__}"] = (order, fn)
        return fn

    return decorator


def home_figures() -> dict:
    figures: dict = {}
    for _order, build in sorted(_FIGURES.values(), key=lambda item: item[0]):
        figures.update(build())
    return figures
