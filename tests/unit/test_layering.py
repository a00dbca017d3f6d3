"""The rooms of the house: which package may import which, read from the source with ``ast``.

Adapters (the MWS endpoint, the admin API, the CLI) go through the service layer; SQL lives in ``store/``; the domain
knows no I/O, protocol or engine; the service layer knows no wire or screen; storage knows no protocol or use case.
And no comment cites an issue number: a comment says why, in words a reader has in front of them.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "outbound"

ADAPTERS = ("mws/", "spapi/", "web/", "admin.py", "admin/", "cli.py", "app.py")
COMPOSITION_ROOTS = ("cli.py", "app.py")  # they open the database and hand it on
SQL_TYPES = ("sqlalchemy.Connection", "sqlalchemy.Engine", "sqlalchemy.exc")


@dataclass(frozen=True)
class Rule:
    who: tuple[str, ...]  # path prefixes under outbound/
    forbidden: tuple[str, ...]  # module prefixes
    why: str
    allowed: tuple[str, ...] = ()  # exact imported names let through for the composition roots


RULES = (
    Rule(
        ADAPTERS,
        ("outbound.store", "outbound.sim"),
        "adapters go through the service layer",
        allowed=("outbound.store.Database",),
    ),
    Rule(
        ("domain/",),
        (
            "outbound.store",
            "outbound.service",
            "outbound.sim",
            "outbound.mws",
            "outbound.spapi",
            "outbound.admin",
            "outbound.cli",
            "sqlalchemy",
            "starlette",
            "psycopg",
            "redis",
            "httpx",
        ),
        "the domain knows no I/O, protocol or engine",
    ),
    Rule(("service/",), ("rich", "starlette", "outbound.mws", "outbound.spapi"), "use cases know no wire or screen"),
    Rule(
        ("store/",),
        ("outbound.mws", "outbound.spapi", "outbound.service", "outbound.sim"),
        "storage knows no protocol or use case",
    ),
)
ISSUE_CITED = re.compile(r"\b(?:issues?|tickets?|bugs?)\s*#?\s*\d+|(?<![\w&])#\d+\b|\bGH-\d+", re.IGNORECASE)


def imports(path: Path, package: Path) -> Iterator[tuple[str, int]]:
    """Every imported name as a dotted path (``from a.b import c`` gives ``a.b.c``), relative imports resolved,
    with its line; imports inside functions count too."""
    module = path.relative_to(package.parent).with_suffix("").parts
    here = module if path.name == "__init__.py" else module[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = here[: len(here) - node.level + 1]  # one dot: this package; each further dot: one up
                base = ".".join([*parent, *([node.module] if node.module else [])])
            for alias in node.names:
                yield f"{base}.{alias.name}", node.lineno


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def broken_imports(package: Path) -> list[str]:
    found = []
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package).as_posix()
        for name, line in imports(path, package):
            for rule in RULES:
                if not rel.startswith(rule.who):
                    continue
                if rel in COMPOSITION_ROOTS and name in rule.allowed:
                    continue
                if any(_under(name, bad) for bad in rule.forbidden):
                    found.append(f"{rel}:{line} imports {name} ({rule.why})")
            sql = _under(name, "sqlalchemy") and not any(_under(name, kind) for kind in SQL_TYPES)
            if sql and not rel.startswith("store/"):
                found.append(f"{rel}:{line} imports {name} (SQL lives in store/; elsewhere only its types)")
    return found


def issue_comments(package: Path) -> list[str]:
    found = []
    for path in sorted(package.rglob("*.py")):
        tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
        for token in tokens:
            if token.type == tokenize.COMMENT and ISSUE_CITED.search(token.string):
                found.append(f"{path.relative_to(package).as_posix()}:{token.start[0]} {token.string.strip()}")
    return found


def test_every_room_imports_only_what_it_may() -> None:
    assert broken_imports(PACKAGE) == []


def test_no_comment_cites_an_issue_number() -> None:
    assert issue_comments(PACKAGE) == []


# ------------------------------------------------------------------------------------------------ the checks check


def _tree(root: Path, files: dict[str, str]) -> Path:
    package = root / "outbound"
    for name, text in files.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return package


@pytest.mark.parametrize(
    ("name", "text", "broken"),
    [
        ("mws/endpoint.py", "from outbound.store.accounts import key_grant\n", "adapters go through the service"),
        ("mws/endpoint.py", "from ..store import accounts\n", "adapters go through the service"),
        ("mws/endpoint.py", "from outbound.sim import scenarios\n", "adapters go through the service"),
        ("admin.py", "import outbound.store.orders\n", "adapters go through the service"),
        ("admin/routes.py", "from outbound.store import Database\n", "adapters go through the service"),
        ("cli.py", "def f():\n    from outbound.store import accounts\n", "adapters go through the service"),
        ("domain/x.py", "from sqlalchemy import Connection\n", "the domain knows no I/O"),
        ("domain/x.py", "import httpx\n", "the domain knows no I/O"),
        ("domain/x.py", "from outbound.sim.engine import Engine\n", "the domain knows no I/O"),
        ("service/x.py", "from rich.table import Table\n", "use cases know no wire or screen"),
        ("service/x.py", "from starlette.requests import Request\n", "use cases know no wire or screen"),
        ("service/x.py", "from outbound.mws import xml\n", "use cases know no wire or screen"),
        ("store/x.py", "from outbound.service import orders\n", "storage knows no protocol or use case"),
        ("store/x.py", "from ..sim import clock\n", "storage knows no protocol or use case"),
        ("sim/x.py", "from sqlalchemy import select\n", "SQL lives in store/"),
        ("service/x.py", "import sqlalchemy\n", "SQL lives in store/"),
        ("app.py", "from sqlalchemy import text\n", "SQL lives in store/"),
    ],
)
def test_a_broken_rule_is_reported(tmp_path: Path, name: str, text: str, broken: str) -> None:
    [found] = broken_imports(_tree(tmp_path, {name: text}))
    assert found.startswith(name) and broken in found


def test_what_the_rules_let_through(tmp_path: Path) -> None:
    package = _tree(
        tmp_path,
        {
            "cli.py": "from outbound.store import Database\nfrom outbound.service import scenarios\n",
            "app.py": "from outbound.store import Database\n",
            "service/x.py": "from sqlalchemy import Connection\nfrom sqlalchemy.exc import IntegrityError\n",
            "sim/x.py": "from sqlalchemy import Connection, Engine\nfrom outbound.store import scenarios\n",
            "store/x.py": "from sqlalchemy import select, text\nfrom outbound.domain.orders import Order\n",
            "domain/x.py": "from outbound.domain import geo\n",
        },
    )
    assert broken_imports(package) == []


def test_a_comment_citing_an_issue_is_reported(tmp_path: Path) -> None:
    package = _tree(
        tmp_path,
        {
            "a.py": "x = 1  # issue 6: returned units\n",
            "b.py": "# The lifecycle (Issue #5)\n",
            "c.py": "y = 2  # see #12\n",
            "d.py": 'z = "issue 7"  # a string is not a comment; we issue BEGIN ourselves\n',
        },
    )
    assert [line.split(":")[0] for line in issue_comments(package)] == ["a.py", "b.py", "c.py"]
