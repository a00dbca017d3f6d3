"""Packaging: the licence the metadata names is the one shipped, the version and shell completion answer."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

from outbound import __version__

ROOT = Path(__file__).resolve().parents[2]
OUTBOUND = [sys.executable, "-m", "outbound"]
ENV = {k: v for k, v in os.environ.items() if not k.startswith("OUTBOUND_")}


def test_license_file_is_the_apache_text_the_metadata_names() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "Apache-2.0"
    assert project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text  # the whole text, not a stub
    assert set(project["urls"]) >= {"Homepage", "Repository", "Changelog"}


def test_changelog_has_the_current_version() -> None:
    text = (ROOT / "CHANGELOG.md").read_text()
    assert "## [Unreleased]" in text and f"## [{__version__}]" in text


def test_version_flag() -> None:
    done = subprocess.run([*OUTBOUND, "--version"], capture_output=True, text=True, env=ENV, timeout=60)
    assert done.returncode == 0
    assert done.stdout.strip().endswith(__version__)


def test_bash_completion_script() -> None:
    env = {**ENV, "_OUTBOUND_COMPLETE": "bash_source"}
    done = subprocess.run(["outbound"], capture_output=True, text=True, env=env, timeout=60, executable=_script())
    assert done.returncode == 0
    assert "_outbound_completion" in done.stdout and "complete " in done.stdout


def _script() -> str:
    return str(Path(sys.executable).parent / "outbound")
