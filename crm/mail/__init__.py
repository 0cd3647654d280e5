"""Outgoing mail: the outbox, newsletters, delivery, unsubscribe."""
