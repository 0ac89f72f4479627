"""Nothing slips: tasks, reminder rules, the Today page, notifications and their e-mail
outbox. Missing-child episodes live with the other case-wide operations
(`casework/casefile/casewide/missing.py`)."""
