"""The documentation site (docs/, mkdocs.yml) does not rot.

- Every example on the pages runs, against the installed package, from the repository's root
  (the examples read examples/): ``pycon`` blocks are doctests, ``python`` blocks are executed,
  ``console`` blocks run each ``$ `` command and compare its output (``...`` matches anything).
  The blocks of a page share one namespace, in page order, as in a notebook. An HTML comment on
  the line before a block changes that: ``<!-- test: requires MODULE… -->`` skips the block
  when a module (or, for ``java``, the program) is missing; ``<!-- test: pytest -->`` runs the
  block as a test file under pytest; ``<!-- test: readme -->`` checks that the block is one of
  README.md's, which tests/test_readme.py runs; ``<!-- test: skip REASON -->`` does not run it.
- The generated catalogue (docs/hooks.py) holds every reason, rule id, wrapper, reply code,
  registry entry and bounce format of data/ and src/bounce/registry.rs.
- With mkdocs installed (docs/requirements.txt; ``make docs`` installs it, and ``make test``
  runs ``make docs`` first), the site builds in strict mode, and each rule id is an anchor of
  the rules page.
"""

from __future__ import annotations

import doctest
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import textwrap
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.md"))

pytest_plugins = ["pytester"]

_BLOCK = re.compile(
    r"(?:^<!-- test: (?P<mark>[^>]*?) -->\n)?^```(?P<lang>[\w-]*)[^\n]*\n(?P<body>.*?)^```[ \t]*$", re.M | re.S
)
_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


@dataclass
class Block:
    page: Path
    line: int
    lang: str
    body: str
    mark: str

    @property
    def id(self) -> str:
        return f"{self.page.relative_to(DOCS).as_posix()}:{self.line}"


def _blocks(page: Path) -> list[Block]:
    source = page.read_text(encoding="utf-8")
    return [
        Block(page, source.count("\n", 0, m.start("body")), m.group("lang"), m.group("body"), (m.group("mark") or "").strip())
        for m in _BLOCK.finditer(source)
    ]


RUNNABLE = {"pycon", "python", "console"}
BLOCKS = [b for page in PAGES for b in _blocks(page) if b.lang in RUNNABLE]


def _missing(mark: str) -> list[str]:
    if not mark.startswith("requires "):
        return []
    missing = []
    for name in mark.split()[1:]:
        if name == "java":
            if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
                missing.append(name)
        elif importlib.util.find_spec(name) is None:
            missing.append(name)
    return missing


class _Page:
    """A page's namespace and how far its blocks have run."""

    def __init__(self) -> None:
        self.globs: dict[str, Any] = {"__name__": "__docs__"}
        self.done = 0


_NAMESPACES: dict[Path, _Page] = {}


def _run_pycon(block: Block, globs: dict[str, Any]) -> None:
    test = doctest.DocTestParser().get_doctest(block.body, globs, block.id, str(block.page), block.line)
    runner = doctest.DocTestRunner(optionflags=_FLAGS)
    out: list[str] = []
    result = runner.run(test, out=out.append, clear_globs=False)
    globs.update(test.globs)  # the DocTest ran in a copy
    assert result.attempted, f"{block.id}: a pycon block without >>> examples"
    assert result.failed == 0, f"{block.id}:\n" + "".join(out)


def _run_console(block: Block) -> None:
    env = dict(os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    env.pop("COLUMNS", None)
    commands: list[tuple[str, list[str]]] = []
    for line in block.body.splitlines():
        if line.startswith("$ "):
            commands.append((line[2:], []))
        else:
            assert commands, f"{block.id}: output before the first $ command"
            commands[-1][1].append(line)
    assert commands, f"{block.id}: a console block without $ commands"
    checker = doctest.OutputChecker()
    for command, expected_lines in commands:
        done = subprocess.run(
            ["bash", "-c", command], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120
        )
        expected = "\n".join(expected_lines) + "\n" if expected_lines else ""
        if not checker.check_output(expected, done.stdout, _FLAGS):
            diff = checker.output_difference(doctest.Example(command, expected), done.stdout, _FLAGS)
            pytest.fail(f"{block.id}: $ {command}\n{diff}", pytrace=False)


def _run(block: Block, page: _Page, request: pytest.FixtureRequest) -> None:
    mark = block.mark
    if mark.startswith("skip"):
        return
    if _missing(mark):
        return
    if mark == "readme":
        readme = (ROOT / "README.md").read_text(encoding="utf-8")
        assert block.body in readme, f"{block.id}: marked as README's, but README.md has no such block"
        return
    if mark == "pytest":
        # Requested only here: pytester restores sys.modules after the test, which would unload
        # what the other examples imported.
        pytester = request.getfixturevalue("pytester")
        pytester.makepyfile(**{"test_docs_example": textwrap.dedent(block.body)})
        result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
        result.assert_outcomes(passed=block.body.count("\ndef test_") + block.body.startswith("def test_"))
        return
    if block.lang == "pycon":
        _run_pycon(block, page.globs)
    elif block.lang == "python":
        exec(compile(block.body, block.id, "exec"), page.globs)  # noqa: S102 - the page's own example
    else:
        _run_console(block)


@pytest.mark.parametrize("block", BLOCKS, ids=[b.id for b in BLOCKS])
def test_example(block: Block, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = _missing(block.mark)
    if block.mark.startswith("skip"):
        pytest.skip(f"{block.id}: {block.mark}")
    if missing:
        pytest.skip(f"{block.id} needs {', '.join(missing)}")
    monkeypatch.chdir(ROOT)  # pytester moved to a temporary directory; the examples read examples/
    page = _NAMESPACES.setdefault(block.page, _Page())
    blocks = [b for b in BLOCKS if b.page == block.page]
    index = blocks.index(block)
    # The blocks before this one run first (once), as when the page is read from the top.
    for earlier in blocks[page.done : index]:
        _run(earlier, page, request)
    page.done = index + 1
    _run(block, page, request)


def test_examples_were_found() -> None:
    # A broken block pattern would make the parametrized test above vacuous.
    assert len(BLOCKS) >= 40
    by_lang = {lang: sum(1 for b in BLOCKS if b.lang == lang) for lang in RUNNABLE}
    assert all(by_lang.values()), by_lang
    assert not [b.id for b in BLOCKS if b.mark and b.mark.split()[0] not in ("skip", "requires", "pytest", "readme")]


# --------------------------------------------------------------------------------- catalogue


def _hooks() -> Any:
    spec = importlib.util.spec_from_file_location("docs_hooks", DOCS / "hooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


HOOKS = _hooks()
CATALOGUE = HOOKS.pages()


def _data(name: str) -> dict[str, Any]:
    with (ROOT / "data" / name).open("rb") as f:
        return tomllib.load(f)


def test_every_reason_is_in_the_catalogue() -> None:
    page = CATALOGUE["catalogue/reasons.md"]
    for reason in _data("reasons.toml")["reason"]:
        assert f'<a id="{reason["value"]}"></a>`{reason["value"]}`' in page
        assert f"`Reason.{reason['name']}`" in page


def test_every_rule_id_is_an_anchor_of_the_rules_page() -> None:
    page = CATALOGUE["catalogue/rules.md"]
    rules = _data("rules.toml")["rule"]
    for rule in rules:
        assert f'<a id="{rule["id"]}"></a>\n**[`{rule["id"]}`](#{rule["id"]})** → reason [`{rule["reason"]}`]' in page
    assert page.count("<a id=") == len(rules)


def test_every_code_and_status_is_in_the_catalogue() -> None:
    codes = CATALOGUE["catalogue/reply-codes.md"]
    fr = _data("i18n/fr.toml")
    for reply in _data("reply_codes.toml")["reply"]:
        assert f'<a id="{reply["code"]}"></a>**{reply["code"]}**' in codes
    for text in fr["reply"].values():
        assert HOOKS.cell(text) in codes
    statuses = CATALOGUE["catalogue/enhanced-status.md"]
    for entry in _data("enhanced_status.toml")["status"]:
        assert f'<a id="{entry["code"].lower()}"></a>\n### {entry["code"]} ' in statuses
        assert HOOKS.text(fr["status"][entry["code"]]["title"]) in statuses


def test_every_wrapper_is_in_the_catalogue() -> None:
    page = CATALOGUE["catalogue/wrappers.md"]
    for wrapper in _data("wrappers.toml")["wrapper"]:
        assert f"## {wrapper['id']} {{#{wrapper['id']}}}" in page
        for example in wrapper["examples"]:
            assert example["text"] in page


def test_every_bounce_format_is_in_the_catalogue() -> None:
    registry = (ROOT / "src" / "bounce" / "registry.rs").read_text(encoding="utf-8")
    listed = re.findall(r'Extractor \{ format: "([^"]+)"', registry)
    formats = HOOKS.formats()
    assert [f["format"] for f in formats] == listed
    page = CATALOGUE["catalogue/formats.md"]
    for name in set(listed):
        assert f"\n## {name} {{#{name}}}\n" in page
    assert all(f["doc"] for f in formats), "a reader without a doc comment naming its source"
    # Every format a report may carry is one the parser can produce.
    import smtpcodes

    assert smtpcodes.parse_bounce((ROOT / "examples" / "bounces" / "exim.eml").read_bytes()).format in listed


# ------------------------------------------------------------------------------------ build


def test_the_site_builds_in_strict_mode(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs", reason="docs/requirements.txt is not installed (make docs installs it)")
    pytest.importorskip("mkdocstrings", reason="docs/requirements.txt is not installed (make docs installs it)")
    site = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout
    rules = (site / "catalogue" / "rules" / "index.html").read_text(encoding="utf-8")
    for rule in _data("rules.toml")["rule"]:
        assert f'id="{rule["id"]}"' in rules
    reference = (site / "reference" / "replies" / "index.html").read_text(encoding="utf-8")
    # The native objects' docstrings (Rust doc comments, read at run time) reach the reference.
    assert "Parses one SMTP reply" in reference
