"""The tables smtpcodes knows: every IANA enhanced status code, every basic reply code and the
Outlook Express / Windows Mail SMTP error numbers, with their texts in English or French.

>>> from smtpcodes import registry
>>> len(registry.enhanced())
81
>>> registry.enhanced()[2].code, registry.enhanced()[2].title
('X.1.1', 'Bad destination mailbox address')
>>> [r.source for r in registry.replies() if r.code == 556]
['RFC 7504 §3']
"""

from __future__ import annotations

from dataclasses import dataclass

from smtpcodes import _native
from smtpcodes._types import Category, ReplyKind


@dataclass(frozen=True, slots=True)
class EnhancedEntry:
    """One row of the IANA "Enumerated Status Codes" registry."""

    code: str
    """The registry code with its class wildcard, e.g. ``X.1.1``."""
    subject: int
    detail: int
    title: str
    """The registry's "Sample Text"."""
    description: str
    reply_codes: tuple[int, ...]
    """The basic reply codes the registry associates with the status."""
    reply_codes_text: str
    """The registry's "Associated basic status code" cell verbatim ("Any", "5XX" …)."""
    reference: tuple[str, ...]
    deprecated: bool


@dataclass(frozen=True, slots=True)
class ReplyCodeEntry:
    """A basic reply code with the text of the RFC that defines it."""

    code: int
    text: str
    source: str
    """Where the code is defined, e.g. ``RFC 5321 §4.2.2``."""
    other_uses: tuple[str, ...]
    """Further meanings in other RFCs, each naming its source."""

    @property
    def kind(self) -> ReplyKind:
        return ReplyKind(self.code // 100)

    @property
    def category(self) -> Category:
        return Category(self.code // 10 % 10)


@dataclass(frozen=True, slots=True)
class OutlookError:
    """An Outlook Express / Windows Mail SMTP error number (Microsoft's imnxport.h)."""

    number: int
    name: str
    reply_code: int | None
    text: str


_ENHANCED: dict[str, tuple[EnhancedEntry, ...]] = {}
_REPLIES: dict[str, tuple[ReplyCodeEntry, ...]] = {}
_OUTLOOK: dict[str, tuple[OutlookError, ...]] = {}


def enhanced(lang: str = "en") -> tuple[EnhancedEntry, ...]:
    """Every entry of the IANA enhanced status code registry, texts in ``lang``."""
    if lang not in _ENHANCED:
        _ENHANCED[lang] = tuple(
            EnhancedEntry(code, s, d, t, desc, tuple(rc), rct, tuple(ref), dep)
            for code, s, d, t, desc, rc, rct, ref, dep in _native._registry_enhanced(lang)
        )
    return _ENHANCED[lang]


def replies(lang: str = "en") -> tuple[ReplyCodeEntry, ...]:
    """Every basic reply code defined by an RFC, texts in ``lang``."""
    if lang not in _REPLIES:
        _REPLIES[lang] = tuple(
            ReplyCodeEntry(code, text, source, tuple(other))
            for code, text, source, other in _native._registry_replies(lang)
        )
    return _REPLIES[lang]


def outlook_errors(lang: str = "en") -> tuple[OutlookError, ...]:
    """Every Outlook Express / Windows Mail SMTP error number, texts in ``lang``."""
    if lang not in _OUTLOOK:
        _OUTLOOK[lang] = tuple(OutlookError(*row) for row in _native._outlook_errors(lang))
    return _OUTLOOK[lang]


def languages() -> tuple[str, ...]:
    """The languages texts exist in.

    >>> languages()
    ('en', 'fr')
    """
    return tuple(_native.languages())
