"""pandas: the ``smtp`` Series accessor, and the partition function for Dask.

``import smtpcodes.pandas`` registers ``Series.smtp``: ``s.smtp.classify()`` is a DataFrame of
the columns of :func:`smtpcodes.classify`, one row per value, with the Series' index;
``s.smtp.reason``, ``s.smtp.bounce`` and ``s.smtp.action`` are one of them, as a categorical
Series named after ``s``. Values may be ``str``, ``bytes``, ``None``, ``NaN`` or ``pd.NA``, in
object, ``str``, ``string[python]`` or ``string[pyarrow]`` Series; a value that is not a reply
gets ``error`` set, never an exception.

>>> import pandas as pd
>>> import smtpcodes.pandas
>>> s = pd.Series(["550 5.1.1 user unknown", None, "452 4.2.2 Mailbox full"], index=[10, 20, 30], name="reply")
>>> s.smtp.reason.to_dict()
{10: 'userunknown', 20: 'undefined', 30: 'mailboxfull'}
>>> str(s.smtp.reason.dtype), s.smtp.reason.name
('category', 'reply')

For Dask, :func:`classify_partition` with :data:`META` classifies each partition of a Dask
Series in its worker::

    ddf["reply"].map_partitions(smtpcodes.pandas.classify_partition, meta=smtpcodes.pandas.META)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd  # type: ignore[import-untyped, unused-ignore]

from .batch import classify as _classify

if TYPE_CHECKING:  # pragma: no cover
    from ._native import RetryPolicy

__all__ = ["META", "SmtpAccessor", "classify_partition"]


def _empty() -> pd.DataFrame:
    # A classified reply carries each enum column's whole dictionary, so the categories (every
    # reason, action …, in the core's order) are the same for every input, and known to Dask.
    return _classify(["550 5.1.1 user unknown"]).to_pandas().iloc[:0]


#: An empty frame with the columns and dtypes of :func:`classify_partition`'s result (the
#: ``meta`` to give Dask): categoricals with every category, nullable ``UInt16``/``boolean``,
#: ``timedelta64[s]``.
META: pd.DataFrame = _empty()


def classify_partition(
    series: pd.Series,
    command: str | None = None,
    policy: RetryPolicy | None = None,
) -> pd.DataFrame:
    """Classifies a Series of reply texts into a DataFrame with the Series' index and the dtypes
    of :data:`META`; the function to map over the partitions of a Dask Series.

    >>> import pandas as pd
    >>> frame = classify_partition(pd.Series(["421 4.7.0 Try again later", float("nan")], index=["a", "b"]))
    >>> frame["code"].tolist(), frame["reason"].to_dict(), frame["error"].tolist()
    ([421, <NA>], {'a': 'securityerror', 'b': 'undefined'}, [nan, 'null'])
    >>> (frame.dtypes == META.dtypes).all()
    np.True_
    """
    if len(series) == 0:
        frame = META.copy()
    else:
        frame = _classify(series, command=command, policy=policy).to_pandas()
    frame.index = series.index
    return frame


@pd.api.extensions.register_series_accessor("smtp")
class SmtpAccessor:
    """``Series.smtp``: the replies of a Series of texts, classified (registered by
    ``import smtpcodes.pandas``).

    >>> import pandas as pd
    >>> import smtpcodes.pandas
    >>> s = pd.Series(["550 5.7.1 blocked by spamhaus", pd.NA], dtype="string[pyarrow]")
    >>> frame = s.smtp.classify()
    >>> frame["code"].tolist(), frame["status"].tolist(), frame["reason"].tolist()
    ([550, <NA>], ['5.7.1', nan], ['blocked', 'undefined'])
    """

    def __init__(self, series: pd.Series) -> None:
        self._series = series

    def classify(self, command: str | None = None, policy: RetryPolicy | None = None) -> pd.DataFrame:
        """The columns of :func:`smtpcodes.classify`, one row per value, with the Series' index.

        ``command`` is the SMTP command the replies answered, ``policy`` a
        :class:`smtpcodes.RetryPolicy` for ``action`` and ``retry_delay``.

        >>> import pandas as pd
        >>> import smtpcodes
        >>> s = pd.Series(["450 4.2.0 try later"])
        >>> s.smtp.classify(policy=smtpcodes.RetryPolicy(base_delay=60))["retry_delay"].tolist()
        [Timedelta('0 days 00:01:00')]
        """
        return classify_partition(self._series, command, policy)

    def _column(self, name: str) -> pd.Series:
        column = self.classify()[name]
        column.name = self._series.name
        return column

    @property
    def reason(self) -> pd.Series:
        """Why each reply failed (Sisimai's names: ``userunknown`` …), categorical.

        >>> import pandas as pd
        >>> pd.Series(["550 5.1.1 user unknown", "garbage"]).smtp.reason.tolist()
        ['userunknown', 'undefined']
        """
        return self._column("reason")

    @property
    def bounce(self) -> pd.Series:
        """Hard, soft, none or unknown, categorical.

        >>> import pandas as pd
        >>> pd.Series(["550 5.1.1 user unknown", "452 4.2.2 Mailbox full"]).smtp.bounce.tolist()
        ['hard', 'soft']
        """
        return self._column("bounce")

    @property
    def action(self) -> pd.Series:
        """What to do after a first attempt (retry, throttle, give_up, suppress, fix_config,
        delivered; missing where the value is not a reply), categorical.

        >>> import pandas as pd
        >>> pd.Series(["550 5.1.1 user unknown", None]).smtp.action.tolist()
        ['suppress', nan]
        """
        return self._column("action")

    def __repr__(self) -> str:
        return f"<smtpcodes accessor of a Series of {len(self._series)} values>"

