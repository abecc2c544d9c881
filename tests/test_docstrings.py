"""Runs the docstring examples of every public object of smtpcodes.

The native objects are builtins, so pytest's --doctest-modules does not collect them; this file
collects the docstrings of every name in ``smtpcodes.__all__`` and of their methods and
properties itself.
"""

from __future__ import annotations

import doctest
import enum
import inspect
import sys
import types

import pytest

import smtpcodes


def _module_name(obj: object) -> str | None:
    if isinstance(obj, types.ModuleType):
        return obj.__name__
    module = getattr(obj, "__module__", None)
    if not isinstance(module, str):
        module = getattr(getattr(obj, "__objclass__", None), "__module__", None)
    if not isinstance(module, str):
        module = getattr(getattr(obj, "fget", None), "__module__", None)
    return module if isinstance(module, str) else None


def _is_ours(obj: object) -> bool:
    module = _module_name(obj)
    return module is not None and module.split(".")[0] == "smtpcodes"


def _docstrings() -> dict[str, tuple[str, str]]:
    """Qualified name -> (docstring, module whose globals the examples run in), for every public
    object of smtpcodes and its members."""
    found: dict[str, tuple[str, str]] = {}

    def add(name: str, obj: object, owner: object = None) -> None:
        doc = inspect.getdoc(obj) if not isinstance(obj, (property, types.GetSetDescriptorType)) else obj.__doc__
        if isinstance(doc, str) and doc.strip():
            module = _module_name(obj) or _module_name(owner) or "smtpcodes"
            found[name] = (doc, module if module in sys.modules else "smtpcodes")

    add("smtpcodes", smtpcodes)
    for name in smtpcodes.__all__:
        obj = getattr(smtpcodes, name)
        if isinstance(obj, (int, str)):
            continue
        if isinstance(obj, types.ModuleType):
            add(name, obj)
            for attr, value in vars(obj).items():
                if not attr.startswith("_") and callable(value) and getattr(value, "__module__", None) == obj.__name__:
                    add(f"{name}.{attr}", value)
                    if inspect.isclass(value):
                        for a, v in vars(value).items():
                            if not a.startswith("_"):
                                add(f"{name}.{attr}.{a}", v, value)
            continue
        if not _is_ours(obj):
            continue
        add(name, obj)
        if inspect.isclass(obj):
            for attr, value in vars(obj).items():
                if attr.startswith("_"):
                    continue
                if isinstance(obj, enum.EnumMeta) and isinstance(value, obj):
                    continue  # enum members carry the class docstring
                add(f"{name}.{attr}", value, obj)
    return found


DOCSTRINGS = _docstrings()
WITH_EXAMPLES = {name: doc for name, doc in DOCSTRINGS.items() if ">>>" in doc[0]}


def test_docstrings_were_collected():
    # A broken collector would make the parametrized test below vacuous.
    assert len(DOCSTRINGS) >= 40
    assert len(WITH_EXAMPLES) >= 10
    for name in ("smtpcodes", "Reply.retry", "Reply.conflict", "EnhancedStatus.title", "RetryPolicy.backoff", "registry.languages"):
        assert name in DOCSTRINGS, name


@pytest.mark.parametrize(
    "name",
    ["parse", "try_parse", "describe", "decide", "outlook_error", "Reply", "EnhancedStatus", "RetryPolicy"],
)
def test_has_an_example(name):
    assert name in WITH_EXAMPLES, f"{name} has no >>> example"
    examples = doctest.DocTestParser().get_examples(WITH_EXAMPLES[name][0])
    assert examples


@pytest.mark.parametrize("name", sorted(WITH_EXAMPLES))
def test_docstring_examples(name):
    doc, module = WITH_EXAMPLES[name]
    # Examples run in a copy of the globals of the module that defines the object, as doctest does.
    globs = dict(vars(sys.modules[module]))
    test = doctest.DocTestParser().get_doctest(doc, globs, name, module, 0)
    assert test.examples
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    out: list[str] = []
    result = runner.run(test, out=out.append, clear_globs=True)
    assert result.attempted == len(test.examples)
    assert result.failed == 0, "".join(out)
