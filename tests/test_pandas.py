"""smtpcodes.pandas: the Series.smtp accessor gives smtpcodes.classify's rows, aligned with the
Series' index, for every string dtype and every kind of missing value."""

from __future__ import annotations

import numpy as np
import pytest

import smtpcodes as sc
from samples import MIXED

pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")
import smtpcodes.pandas  # noqa: E402  (registers Series.smtp)

TEXTS = MIXED
DTYPES = [
    object,
    "str",  # pandas 3's default string dtype (NaN for missing)
    "string[python]",
    "string[pyarrow]",
    pd.StringDtype("python", na_value=np.nan),
    "category",
]


def as_missing(value):
    """The pandas missing values a None may arrive as."""
    return [None, np.nan, pd.NA][hash(str(value)) % 3] if value is None else value


def expected(texts, index, **kwargs):
    frame = sc.classify(texts, **kwargs).to_pandas()
    frame.index = index
    return frame


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_classify_rows_equal_the_batch_api_with_the_series_index(dtype):
    index = pd.Index([7, 3, 3, 100, -1, 42, 8, 0, 5], name="id")  # unsorted, repeated
    s = pd.Series(TEXTS, index=index, dtype=dtype, name="reply")
    frame = s.smtp.classify()
    assert list(frame.columns) == list(sc.batch.COLUMNS)
    pd.testing.assert_frame_equal(frame, expected(TEXTS, index))
    assert frame["error"].tolist()[1] == "null"


@pytest.mark.parametrize("missing", [None, np.nan, pd.NA, float("nan")], ids=repr)
def test_every_missing_value_is_a_null_row(missing):
    s = pd.Series(["550 5.1.1 x", missing], dtype=object)
    frame = s.smtp.classify()
    assert frame["error"].tolist()[1] == "null" and frame["reason"].tolist() == ["userunknown", "undefined"]


def test_bad_values_never_raise_one_row_each():
    s = pd.Series([42, b"550 5.1.1 x", 3.5, object(), "x" * 100_000, None])
    frame = s.smtp.classify()
    assert len(frame) == len(s) and frame["code"].tolist()[1] == 550
    assert frame["error"].notna().tolist() == [True, False, True, True, True, True]


def test_shortcuts_are_categorical_named_and_indexed():
    s = pd.Series(["550 5.1.1 user unknown", None, "452 4.2.2 Mailbox full"], index=["a", "b", "c"], name="reply")
    for name in ("reason", "bounce", "action"):
        column = getattr(s.smtp, name)
        assert isinstance(column.dtype, pd.CategoricalDtype), name
        assert column.name == "reply" and list(column.index) == ["a", "b", "c"]
        assert column.tolist() == [v if isinstance(v, str) else np.nan for v in sc.classify(list(s))[name]]
    assert s.smtp.reason.tolist() == ["userunknown", "undefined", "mailboxfull"]
    assert s.smtp.bounce.tolist() == ["hard", "unknown", "soft"]
    # Categories are every value of the enum, whatever the data holds.
    assert set(s.smtp.reason.cat.categories) == {r.value for r in sc.Reason}
    assert set(s.smtp.action.cat.categories) == {a.value for a in sc.Action}


def test_command_and_policy_pass_through():
    s = pd.Series(["450 4.2.0 try later"], index=[5])
    frame = s.smtp.classify(policy=sc.RetryPolicy(base_delay=60), command="RCPT")
    assert frame.loc[5, "retry_delay"] == pd.Timedelta(seconds=60)
    pd.testing.assert_frame_equal(frame, expected(["450 4.2.0 try later"], s.index, policy=sc.RetryPolicy(base_delay=60)))


def test_empty_series_has_the_meta_dtypes():
    frame = pd.Series([], dtype="string[pyarrow]").smtp.classify()
    assert len(frame) == 0
    pd.testing.assert_series_equal(frame.dtypes, smtpcodes.pandas.META.dtypes)


def test_meta_matches_every_partition():
    s = pd.Series(TEXTS * 3)
    assert (smtpcodes.pandas.classify_partition(s).dtypes == smtpcodes.pandas.META.dtypes).all()
    assert (smtpcodes.pandas.classify_partition(s.iloc[1:2]).dtypes == smtpcodes.pandas.META.dtypes).all()
    assert len(smtpcodes.pandas.META) == 0


def test_multiindex_and_large_series():
    index = pd.MultiIndex.from_product([range(1000), ["x", "y"]])
    s = pd.Series(["550 5.1.1 user unknown", "452 4.2.2 full"] * 1000, index=index)
    reason = s.smtp.reason
    assert reason.index.equals(index)
    assert reason.loc[(999, "y")] == "mailboxfull" and reason.loc[(0, "x")] == "userunknown"
