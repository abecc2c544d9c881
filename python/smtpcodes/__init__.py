"""smtpcodes: turn what mail servers say into decisions.

>>> import smtpcodes as sc
>>> r = sc.parse("550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown")
>>> r.code, str(r.status), r.bounce, r.reason
(550, '5.1.1', <Bounce.HARD: 'hard'>, <Reason.USER_UNKNOWN: 'userunknown'>)
>>> r.retry().action
<Action.SUPPRESS: 'suppress'>
"""

from importlib.metadata import PackageNotFoundError, version

from smtpcodes import registry, webhooks
from smtpcodes._adapters import decide, from_exception
from smtpcodes.batch import ClassifyResult, classify, parse_bounces
from smtpcodes._mbox import iter_bounces, parse_mbox
from smtpcodes.summary import Summary, summarize
from smtpcodes.ledger import Ledger, RecordResult, ReplayResult, Verdict, replay
from smtpcodes.suppressions import (
    SuppressionKind,
    SuppressionListError,
    SuppressionRecord,
    read_suppressions,
    write_suppressions,
)
from smtpcodes._native import (
    MAX_EMAIL_BYTES,
    MAX_INPUT_BYTES,
    MAX_LINES,
    AddressState,
    BounceRecipient,
    BounceReport,
    DestinationHealth,
    EnhancedStatus,
    Event,
    Explanation,
    LedgerPolicy,
    Reply,
    RetryDecision,
    RetryPolicy,
    address_state,
    describe,
    destination_health,
    outlook_error,
    parse,
    parse_bounce,
    try_parse,
)
from smtpcodes._types import (
    Action,
    AddressStatus,
    Advice,
    Bounce,
    BounceParseError,
    Category,
    Error,
    EventKind,
    EventSource,
    Fault,
    ParseError,
    Reason,
    ReplyKind,
    ReportKind,
    Scope,
    StatusClass,
    Subject,
    SuppressionCause,
)

try:
    __version__ = version("smtpcodes")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "MAX_EMAIL_BYTES",
    "MAX_INPUT_BYTES",
    "MAX_LINES",
    "Action",
    "AddressState",
    "AddressStatus",
    "Advice",
    "DestinationHealth",
    "Event",
    "EventKind",
    "EventSource",
    "Ledger",
    "LedgerPolicy",
    "RecordResult",
    "ReplayResult",
    "SuppressionCause",
    "Verdict",
    "address_state",
    "destination_health",
    "replay",
    "Bounce",
    "BounceParseError",
    "BounceRecipient",
    "BounceReport",
    "Category",
    "ClassifyResult",
    "EnhancedStatus",
    "Error",
    "Explanation",
    "Fault",
    "ParseError",
    "Reason",
    "Reply",
    "ReplyKind",
    "RetryDecision",
    "RetryPolicy",
    "ReportKind",
    "Scope",
    "StatusClass",
    "Subject",
    "Summary",
    "SuppressionKind",
    "SuppressionListError",
    "SuppressionRecord",
    "classify",
    "decide",
    "describe",
    "from_exception",
    "iter_bounces",
    "outlook_error",
    "parse",
    "parse_bounce",
    "parse_bounces",
    "parse_mbox",
    "read_suppressions",
    "registry",
    "summarize",
    "try_parse",
    "webhooks",
    "write_suppressions",
]
