"""Every Python example of docs/testing.md, and of the README's test-suite section, runs as it is written.

A block with a ``def test_`` (or a unittest class) is a test file: all of them run in one pytest session through
pytester, with the plugin registered as an installed package registers it; every other block is a script and runs
in a fresh interpreter.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def python_blocks(text: str) -> list[str]:
    return BLOCK.findall(text)


def docs_blocks() -> list[str]:
    return python_blocks((ROOT / "docs" / "testing.md").read_text(encoding="utf-8"))


def readme_blocks() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Outbound in your test suite", 1)[1].split("\n## ", 1)[0]
    return python_blocks(section)


def is_test_file(block: str) -> bool:
    return "def test_" in block


CLIENTS = ("outbound.client()", "mws.OutboundShipments", "signing.sign", "FulfillmentOutbound(")


def test_the_docs_have_the_examples_the_brief_promises() -> None:
    docs = docs_blocks()
    tests = [b for b in docs if is_test_file(b)]
    assert len(tests) >= 5 and any(not is_test_file(b) for b in docs)
    assert "OutboundTestCase" in "\n".join(tests)
    for needle in CLIENTS:  # our SDK, python-amazon-mws, plain httpx, python-amazon-sp-api
        client = next(b for b in tests if needle in b)  # the client's own example, first in the page
        assert 'outcome="lost"' in client and 'code="RequestThrottled"' in client, needle
    sp_api = next(b for b in tests if CLIENTS[-1] in b)
    for needle in ('advance("3d")', "get_package_tracking_details", "SellingApiRequestThrottledException"):
        assert needle in sp_api
    readme = [b for b in readme_blocks() if is_test_file(b)]
    assert any(CLIENTS[0] in b for b in readme)
    assert any(CLIENTS[-1] in b and "QuotaExceeded" in b and 'outcome="lost"' in b for b in readme)


def test_every_test_example_passes(pytester: pytest.Pytester) -> None:
    files = {f"test_doc_{n}": block for n, block in enumerate(b for b in docs_blocks() if is_test_file(b))}
    files.update({f"test_readme_{n}": b for n, b in enumerate(readme_blocks()) if is_test_file(b)})
    pytester.makepyfile(**files)
    result = pytester.runpytest("-v", "-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning")
    outcomes = result.parseoutcomes()
    assert result.ret == 0, result.stdout.str()
    assert outcomes.get("failed", 0) == outcomes.get("errors", 0) == 0
    for name in files:  # every file ran tests, and they passed
        assert re.search(rf"^{name}\.py::\S+ PASSED", result.stdout.str(), re.M), name
    assert outcomes["passed"] >= 19


def test_every_script_example_runs(pytester: pytest.Pytester) -> None:
    scripts = [b for b in docs_blocks() + readme_blocks() if not is_test_file(b)]
    assert scripts
    for n, block in enumerate(scripts):
        path = pytester.path / f"example_{n}.py"
        path.write_text(block, encoding="utf-8")
        result = pytester.runpython(path)
        assert result.ret == 0, result.stderr.str()
    assert "COMPLETE" in result.stdout.str()
