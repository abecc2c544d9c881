"""The package as installed: one version, Cargo.toml's, everywhere it shows; and under `make
test-wheel` and `make test-sdist` (SMTPCODES_EXPECT_INSTALLED=1) the copy these tests import is the
one installed from the wheel, not the source tree's python/."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import tomllib
from importlib.metadata import distribution, version
from pathlib import Path

import pytest
from packaging.version import Version

import smtpcodes
from smtpcodes import cli

ROOT = Path(__file__).resolve().parents[1]


def test_version_is_the_installed_metadata_version() -> None:
    assert smtpcodes.__version__ == version("smtpcodes")


def test_version_is_cargo_tomls() -> None:
    # maturin writes Cargo.toml's version into the metadata (a SemVer pre-release in PEP 440 form).
    cargo = tomllib.loads((ROOT / "Cargo.toml").read_text(encoding="utf-8"))["package"]["version"]
    assert Version(version("smtpcodes")) == Version(cargo)


def test_cli_prints_the_same_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["version"]) == 0
    assert capsys.readouterr().out == f"{version('smtpcodes')}\n"
    run = subprocess.run([sys.executable, "-m", "smtpcodes", "version"], capture_output=True, text=True, check=True)
    assert run.stdout == f"{version('smtpcodes')}\n"


@pytest.mark.skipif(
    os.environ.get("SMTPCODES_EXPECT_INSTALLED") != "1", reason="checks an installed wheel (make test-wheel)"
)
def test_the_installed_wheel_is_the_copy_imported() -> None:
    here = Path(smtpcodes.__file__).resolve()
    site_packages = {Path(sysconfig.get_paths()[key]).resolve() for key in ("purelib", "platlib")}
    assert any(directory in here.parents for directory in site_packages), here
    assert Path(sys.prefix).resolve() in here.parents, (here, sys.prefix)
    assert not here.is_relative_to(ROOT / "python"), here
    dist = distribution("smtpcodes")
    direct_url = json.loads(dist.read_text("direct_url.json") or "{}")
    assert not direct_url.get("dir_info", {}).get("editable", False), direct_url
    assert any(file.name.startswith("_native.") for file in dist.files or []), "no extension in the wheel's RECORD"
