"""The exchange area's receivers of the cross-area signals (crm.signals), gathered from its modules."""

from crm.exchange import case_signals  # noqa: F401  (the green-transition cases)
