"""The shape of the house, read from the code itself (no app is created here).

* no import cycle among `app` modules, counting imports made inside functions;
* no import of the app's own modules inside a function (they hid the cycles); a lazy import
  of a costly third-party library (WeasyPrint) stays allowed, with a comment;
* domain code (services, models, figures, everything that is not an edge module) imports
  none of Flask's request globals, `url_for` or `render_template`: it runs without a request;
* `app/core` imports no domain package (domains register into core, never the reverse);
* no file under `app/` (demo data aside) longer than 500 lines, no function longer than 80
  lines or of cyclomatic complexity D (21) or worse (radon's grades);
* at most five `commit()` calls in view modules, each with a comment saying why.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from radon.complexity import cc_visit

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"

MAX_FILE_LINES = 500
MAX_FUNCTION_LINES = 80
MAX_COMPLEXITY = 20  # radon grade C at most; D starts at 21
MAX_VIEW_COMMITS = 5

DOMAINS = ("accounts", "charter", "members", "reporting", "transparency")
# Modules that face the web or render for people: they may use the request and templates.
EDGE_NAMES = {"views", "api", "feeds", "notifications", "blueprint", "panels", "present"}
EDGE_MODULES = {
    "app",  # the lazy shim in front of the factory
    "app.factory",  # the application factory: request guards, error pages, locale selection
    "app.cli",
    "app.security",  # the view decorators (redirect to login)
    "app.mail.outbox",  # renders mail bodies (the notification layer's tool)
    "app.db",  # routes anonymous public-page reads to the replica
    "app.core.cache",  # keys fragments by request (locale, URL)
    "app.core.http_cache",
    "app.core.conditional",  # conditional GET: reads the request's validators
    "app.core.templating",
    "app.core.links",
    "app.core.uow",
    "app.core.pdf",
}
FORBIDDEN_FROM_FLASK = {
    "request",
    "session",
    "g",
    "url_for",
    "render_template",
    "render_template_string",
    "has_request_context",
    "test_request_context",
}
FORBIDDEN_FROM_FLASK_LOGIN = {"current_user"}
# Lazy imports of the app's own modules that are still allowed, with the reason.
ALLOWED_LAZY_APP_IMPORTS: dict[tuple[str, str], str] = {
    ("app", "app.factory"): "importing the package stays free of Flask: the PDF engine's "
    "worker processes import app.pdf modules without loading Flask and every extension",
}


@dataclass(frozen=True)
class Import:
    source: str  # importing module
    target: str  # imported app module
    names: tuple[str, ...]
    line: int
    lazy: bool  # inside a function


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _app_files() -> list[Path]:
    return sorted(p for p in APP.rglob("*.py") if "__pycache__" not in p.parts)


MODULES = {_module_name(p): p for p in _app_files()}


def _resolve(base: str, name: str | None) -> str | None:
    """The app module that `from base import name` (or `import base`) loads."""
    if name is not None and f"{base}.{name}" in MODULES:
        return f"{base}.{name}"
    return base if base in MODULES else None


def _package_of(module: str) -> str:
    path = MODULES[module]
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


class _ImportCollector(ast.NodeVisitor):
    def __init__(self, module: str):
        self.module = module
        self.depth = 0
        self.found: list[Import] = []

    def _function(self, node):
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function

    def visit_Import(self, node: ast.Import):
        for alias in node.names:
            if alias.name == "app" or alias.name.startswith("app."):
                target = _resolve(alias.name, None)
                if target:
                    self.found.append(Import(self.module, target, (), node.lineno, self.depth > 0))

    def visit_ImportFrom(self, node: ast.ImportFrom):
        base = node.module or ""
        if node.level:
            package = _package_of(self.module).split(".")
            package = package[: len(package) - node.level + 1]
            base = ".".join(package + ([base] if base else []))
        if not (base == "app" or base.startswith("app.")):
            return
        for alias in node.names:
            target = _resolve(base, alias.name)
            if target:
                self.found.append(
                    Import(self.module, target, (alias.name,), node.lineno, self.depth > 0)
                )


def _trees() -> dict[str, ast.Module]:
    return {name: ast.parse(path.read_text(), str(path)) for name, path in MODULES.items()}


TREES = _trees()


def _imports() -> list[Import]:
    found = []
    for name, tree in TREES.items():
        collector = _ImportCollector(name)
        collector.visit(tree)
        found.extend(i for i in collector.found if i.target != name)
    return found


IMPORTS = _imports()


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def _is_edge(module: str) -> bool:
    """A module facing the web or rendering for people: it, or a package it sits in, has an
    edge name (`app.reporting.views.secretariat`, `app.transparency.present.document`)."""
    parts = module.split(".")
    return (
        module in EDGE_MODULES
        or any(part in EDGE_NAMES or part.endswith("_views") for part in parts[1:])
        or module.startswith("app.demo")
    )


def test_no_import_cycles_counting_function_level_imports():
    edges: dict[str, set[str]] = defaultdict(set)
    for imp in IMPORTS:
        edges[imp.source].add(imp.target)
    cycles = _cycles(edges)
    described = [
        " <-> ".join(cycle)
        + ": "
        + "; ".join(
            f"{i.source}:{i.line} -> {i.target}"
            for i in IMPORTS
            if i.source in cycle and i.target in cycle
        )
        for cycle in cycles
    ]
    assert not described, "import cycles:\n" + "\n".join(described)


def test_no_function_level_imports_of_the_apps_own_modules():
    lazy = [
        f"{i.source}:{i.line} imports {i.target} inside a function"
        for i in IMPORTS
        if i.lazy and (i.source, i.target) not in ALLOWED_LAZY_APP_IMPORTS
    ]
    assert not lazy, "\n".join(lazy)


def _request_globals_used(tree: ast.Module) -> list[tuple[int, str]]:
    used = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in ("flask", "flask.globals"):
            used += [(node.lineno, a.name) for a in node.names if a.name in FORBIDDEN_FROM_FLASK]
        elif isinstance(node, ast.ImportFrom) and node.module == "flask_login":
            used += [
                (node.lineno, a.name) for a in node.names if a.name in FORBIDDEN_FROM_FLASK_LOGIN
            ]
        elif isinstance(node, ast.Attribute) and node.attr in ("test_request_context",):
            used.append((node.lineno, node.attr))
    return used


def test_domain_code_needs_no_request():
    found = [
        f"{name}:{line} uses {what}"
        for name, tree in TREES.items()
        if not _is_edge(name)
        for line, what in _request_globals_used(tree)
    ]
    assert not found, "\n".join(found)


def test_no_fabricated_request_contexts_outside_the_job_runner():
    found = [
        f"{name}:{node.lineno}"
        for name, tree in TREES.items()
        if name != "app.core.jobs"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr == "test_request_context"
    ]
    assert not found, "\n".join(found)


def test_core_imports_no_domain():
    found = [
        f"{i.source}:{i.line} -> {i.target}"
        for i in IMPORTS
        if i.source.startswith("app.core")
        and i.target.split(".")[1:2]
        and i.target.split(".")[1] in (*DOMAINS, "demo", "cli")
    ]
    assert not found, "\n".join(found)


def test_files_are_at_most_500_lines():
    long = [
        f"{path.relative_to(ROOT)}: {n} lines"
        for path in _app_files()
        if "demo" not in path.relative_to(APP).parts
        and (n := len(path.read_text().splitlines())) > MAX_FILE_LINES
    ]
    assert not long, "\n".join(long)


def _functions(blocks):
    """Every function, method and closure radon found (classes are only containers)."""
    for block in blocks:
        if hasattr(block, "methods"):
            yield from _functions(block.methods)
            yield from _functions(getattr(block, "inner_classes", []))
        else:
            yield block
            yield from _functions(getattr(block, "closures", []))


def test_functions_are_short_and_simple():
    problems = []
    for name, path in MODULES.items():
        if name.startswith("app.demo"):
            continue
        source = path.read_text()
        for item in _functions(cc_visit(source)):
            length = item.endline - item.lineno + 1
            if length > MAX_FUNCTION_LINES:
                problems.append(f"{name}:{item.lineno} {item.name}: {length} lines")
            if item.complexity > MAX_COMPLEXITY:
                problems.append(f"{name}:{item.lineno} {item.name}: complexity {item.complexity}")
    assert not problems, "\n".join(sorted(set(problems)))


def test_few_commits_in_views_each_explained():
    found = []
    for name, path in MODULES.items():
        if not _is_edge(name) or name.startswith("app.demo") or name in EDGE_MODULES:
            continue
        lines = path.read_text().splitlines()
        for number, line in enumerate(lines, 1):
            if ".commit()" in line:
                context = " ".join(lines[max(0, number - 3) : number])
                found.append((f"{name}:{number}", "#" in context))
    assert len(found) <= MAX_VIEW_COMMITS, [f for f, _ in found]
    unexplained = [where for where, explained in found if not explained]
    assert not unexplained, f"commit() without a comment saying why: {unexplained}"


DUPLICATE_LINES = 13  # a block of more than 12 identical lines


def _code_lines(path: Path) -> list[tuple[int, str]]:
    """The file's lines that carry code, stripped (blank lines and comments dropped)."""
    kept = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        text = line.strip()
        if text and not text.startswith("#"):
            kept.append((number, text))
    return kept


def test_no_block_of_more_than_12_lines_written_twice():
    seen: dict[tuple[str, ...], str] = {}
    repeated = []
    for path in _app_files():
        if "demo" in path.relative_to(APP).parts:
            continue
        lines = _code_lines(path)
        last_end = -1
        for start in range(len(lines) - DUPLICATE_LINES + 1):
            window = tuple(text for _n, text in lines[start : start + DUPLICATE_LINES])
            if sum(len(t) > 3 for t in window) < DUPLICATE_LINES // 2:
                continue  # closing brackets and the like
            where = f"{path.relative_to(ROOT)}:{lines[start][0]}"
            first = seen.setdefault(window, where)
            if first != where and start > last_end:
                repeated.append(f"{where} repeats {first}")
                last_end = start + DUPLICATE_LINES
    assert not repeated, "\n".join(repeated)
