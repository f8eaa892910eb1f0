"""The request classes are defined once (``policy.classes``); the rest derive from it."""

from __future__ import annotations

from operant.desk.classify import CLASS_CLAUSE as CLASSIFIER_CLAUSE
from operant.desk.models import RequestClass as TicketClass
from operant.policy.classes import CLASS_CLAUSE, RequestClass
from operant.policy.schema import ResponseClasses


def test_every_class_has_a_label_and_a_clause() -> None:
    for request_class in RequestClass:
        assert request_class.label
        assert request_class.clause in {"01", "02", "03", "05"}


def test_the_ticket_column_offers_exactly_the_policy_classes() -> None:
    assert TicketClass.choices == [(c.value, c.label) for c in RequestClass]
    assert TicketClass.OUTAGE == RequestClass.OUTAGE == "outage"
    assert TicketClass("not_covered").label == RequestClass.NOT_COVERED.label


def test_the_classifier_cites_the_policy_clauses() -> None:
    assert CLASSIFIER_CLAUSE is CLASS_CLAUSE


def test_the_policy_file_can_give_targets_to_every_class_and_no_other() -> None:
    assert set(ResponseClasses.model_fields) == set(RequestClass)
