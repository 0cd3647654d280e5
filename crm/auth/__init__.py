"""Accounts, login, logout and password reset."""
