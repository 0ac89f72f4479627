"""Accounts and authentication: passwords, second factor, sessions, throttling, enrolment."""
