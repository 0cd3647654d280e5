"""Contributions to the partnership: schemes and scenarios, billing runs, invoices, payments and reminders."""
