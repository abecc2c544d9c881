"""hypothesis' entry point for smtpcodes. It must not import smtpcodes.strategies (nor hypothesis)
at module level: hypothesis runs it while hypothesis itself is being imported, possibly from
smtpcodes.strategies. The strategies are looked up when first drawn (``st.deferred``)."""

from __future__ import annotations


def _hypothesis_setup_hook() -> None:
    """Registers smtpcodes' strategies for ``st.from_type(Reply)`` and ``EnhancedStatus``."""
    from hypothesis import strategies as st

    from smtpcodes._native import EnhancedStatus, Reply

    def replies() -> st.SearchStrategy[Reply]:
        from smtpcodes import strategies

        return strategies.replies()

    def statuses() -> st.SearchStrategy[EnhancedStatus]:
        from smtpcodes import strategies

        return strategies.enhanced_statuses()

    st.register_type_strategy(Reply, st.deferred(replies))
    st.register_type_strategy(EnhancedStatus, st.deferred(statuses))
