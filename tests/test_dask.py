"""The Dask recipe: smtpcodes.classify over the partitions of a Dask DataFrame, on a local
distributed cluster of two worker processes, gives the single-process answer."""

from __future__ import annotations

import os
import pickle

import pytest

import smtpcodes as sc
from samples import MIXED

pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
import smtpcodes.pandas  # noqa: E402

TEXTS = MIXED


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0") as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def replies():
    """Reply texts with an id index (not 0..n), 5 partitions."""
    frame = pd.DataFrame({"reply": TEXTS * 250}, index=pd.Index(range(10_000, 10_000 + 250 * len(TEXTS)), name="id"))
    return frame, dd.from_pandas(frame, npartitions=5)


def single_process(texts, index, **kwargs):
    frame = sc.classify(list(texts), **kwargs).to_pandas()
    frame.index = index
    return frame


def test_classify_partition_on_two_worker_processes(client, replies):
    frame, ddf = replies
    assert ddf.npartitions == 5
    lazy = ddf["reply"].map_partitions(smtpcodes.pandas.classify_partition, meta=smtpcodes.pandas.META)
    assert list(lazy.columns) == list(sc.batch.COLUMNS)
    assert lazy["reason"].cat.known  # the categories are in META, before anything runs
    result = lazy.compute()
    pd.testing.assert_frame_equal(result, single_process(frame["reply"], frame.index))
    # Joined back to the input by the index.
    joined = ddf.join(lazy[["reason", "action"]]).compute()
    assert joined.loc[10_000, "reason"] == "userunknown" and joined.loc[10_002, "action"] == "retry"


def test_the_inline_lambda_recipe(client, replies):
    frame, ddf = replies
    lazy = ddf["reply"].map_partitions(
        lambda s: sc.classify(s).to_pandas().set_index(s.index), meta=smtpcodes.pandas.META
    )
    pd.testing.assert_frame_equal(lazy.compute(), single_process(frame["reply"], frame.index))


def test_retry_policy_and_command_reach_the_workers(client, replies):
    frame, ddf = replies
    policy = sc.RetryPolicy(base_delay=60, max_attempts=3)
    assert pickle.loads(pickle.dumps(policy)) == policy
    lazy = ddf["reply"].map_partitions(
        smtpcodes.pandas.classify_partition, command="RCPT", policy=policy, meta=smtpcodes.pandas.META
    )
    result = lazy.compute()
    want = single_process(frame["reply"], frame.index, command="RCPT", policy=policy)
    pd.testing.assert_frame_equal(result, want)
    full = (result["reason"] == "mailboxfull") & result["code"].notna()  # replies, not bare words
    assert full.any() and (result.loc[full, "retry_delay"] == pd.Timedelta(seconds=60)).all()


def test_work_ran_in_the_worker_processes(client, replies):
    _, ddf = replies
    pids = ddf.map_partitions(lambda part: pd.Series([os.getpid()]), meta=(None, "int64")).compute()
    assert os.getpid() not in set(pids) and 1 <= len(set(pids)) <= 2


def test_results_travel_between_processes(client):
    # A ClassifyResult pickles as an Arrow table, so workers can return it as it is.
    future = client.submit(sc.classify, TEXTS, policy=sc.RetryPolicy(base_delay=60))
    result = future.result()
    assert isinstance(result, sc.ClassifyResult)
    assert result.to_pylist() == sc.classify(TEXTS, policy=sc.RetryPolicy(base_delay=60)).to_pylist()
