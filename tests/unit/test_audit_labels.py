"""Every action the audit log can hold has a readable label, and the auditor's filter
offers every one of them."""

from __future__ import annotations

from flask import Flask

from casework.audit.events import Action
from casework.audit_labels import ACTION
from casework.forms.audit import AuditFilterForm


def test_every_action_has_a_label() -> None:
    assert set(ACTION) == set(Action)
    labels = [str(label) for label in ACTION.values()]
    assert len(set(labels)) == len(labels)  # no two actions read alike


def test_the_filter_offers_every_action_by_its_label(app: Flask) -> None:
    with app.test_request_context("/audit/"):
        form = AuditFilterForm(organisations={})
        offered = {value: str(label) for value, label in form.action.choices if value}
    assert set(offered) == {a.value for a in Action}
    assert all(label != value for value, label in offered.items())
    assert offered["flag.resolve"] == "Flag resolved"
