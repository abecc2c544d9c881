"""hypothesis' entry point for smtpcodes. It must not import smtpcodes.strategies (nor hypothesis)
at module level: hypothesis runs it while hypothesis itself is being imported, possibly from
smtpcodes.strategies. The strategies are looked up when first drawn (``st.deferred``)."""

from __future__ import annotations


def _hypothesis_setup_hook() -> None:
    """Registers smtpcodes' strategies for ``st.from_type(Reply)`` and ``EnhancedStatus``."""
    import importlib

    from hypothesis import strategies as st

    from smtpcodes._native import EnhancedStatus, Reply

    # importlib rather than `from smtpcodes import strategies`: after a pytester inline run
    # resets sys.modules, the attribute on the package can be a stale module object.
    def replies() -> st.SearchStrategy[Reply]:
        return importlib.import_module("smtpcodes.strategies").replies()  # type: ignore[no-any-return]

    def statuses() -> st.SearchStrategy[EnhancedStatus]:
        return importlib.import_module("smtpcodes.strategies").enhanced_statuses()  # type: ignore[no-any-return]

    st.register_type_strategy(Reply, st.deferred(replies))
    st.register_type_strategy(EnhancedStatus, st.deferred(statuses))
