"""A griffe extension for the API reference (mkdocs.yml, mkdocstrings' ``extensions``).

griffe reads the binding module ``smtpcodes._native`` from its stubs (``_native.pyi``): the
signatures and types are there, the docstrings are not: they are the Rust doc comments, which
PyO3 puts on the objects at run time. ``on_package`` copies each one from the installed module
onto the stub's object, so the reference shows what ``help()`` shows, written once, in Rust.

The docstrings are written for ``help()`` and doctest (reStructuredText-ish: ``code``,
``:func:`parse```, ``>>>`` examples, ``::`` blocks); mkdocstrings renders Markdown, so every
docstring of the package is also given fenced ``pycon`` examples and plain code for the roles.
"""

from __future__ import annotations

import importlib
import inspect
import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:py:)?(?:func|class|meth|attr|data|mod|exc|obj):`~?([^`]+)`")


def markdown(doc: str) -> str:
    """A reStructuredText-ish docstring as Markdown: ``>>>`` examples fenced as ``pycon``,
    roles as code, ``::`` as ``:`` (the indented block after it stays a code block)."""
    out: list[str] = []
    in_fence = in_example = False
    indent = ""
    for line in doc.splitlines():
        stripped = line.strip()
        if stripped.startswith("```"):
            in_fence = not in_fence
        if in_fence or stripped.startswith("```"):
            out.append(line)
            continue
        if in_example and not stripped:
            out.append(f"{indent}```")
            in_example = False
        if not in_example and stripped.startswith(">>>"):
            indent = line[: len(line) - len(line.lstrip())]
            if out and out[-1].strip():
                out.append("")
            out.append(f"{indent}```pycon")
            in_example = True
        if in_example:
            out.append(line)
            continue
        line = _ROLE.sub(r"`\1`", line)
        if line.endswith("::") and not line.endswith(" ::"):
            line = line[:-1]
        elif line.endswith(" ::"):
            line = line[:-3]
        out.append(line)
    if in_example:
        out.append(f"{indent}```")
    return "\n".join(out)


def _runtime_doc(obj: Any) -> str | None:
    doc = getattr(obj, "__doc__", None)
    return inspect.cleandoc(doc) if isinstance(doc, str) and doc.strip() else None


def _fill(stub: griffe.Object, runtime: Any) -> None:
    """Gives ``stub`` (and its members) the run-time docstrings it lacks."""
    if stub.docstring is None:
        doc = _runtime_doc(runtime)
        if doc is not None and not (stub.is_class is False and doc == _runtime_doc(type(runtime))):
            stub.docstring = griffe.Docstring(doc, parent=stub)
    if stub.is_class:
        for name, member in stub.members.items():
            if isinstance(member, griffe.Alias) or name.startswith("__"):
                continue
            value = inspect.getattr_static(runtime, name, None)
            if value is not None:
                _fill(member, value)


def _convert(obj: griffe.Object) -> None:
    if obj.docstring is not None:
        obj.docstring.value = markdown(obj.docstring.value)
    for member in obj.members.values():
        if not isinstance(member, griffe.Alias):
            _convert(member)


class NativeDocstrings(griffe.Extension):
    """Run-time docstrings for the stubs of ``smtpcodes._native``; Markdown for every docstring."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        if pkg.name != "smtpcodes":
            return
        native = importlib.import_module("smtpcodes._native")
        stubs = pkg.modules["_native"]
        for name, member in stubs.members.items():
            if isinstance(member, griffe.Alias):
                continue
            value = getattr(native, name, None)
            if value is not None:
                _fill(member, value)
        _convert(pkg)
