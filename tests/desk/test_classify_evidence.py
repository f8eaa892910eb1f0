"""The classifier with monitoring's evidence: a request about a workflow whose live configuration
changed outside Operant is classified from what was observed, not from its words alone.

Pure code: no database, no Django settings needed.
"""

from __future__ import annotations

import dataclasses

import pytest

from operant.desk.classify import Classification, WorkflowEvidence
from tests.desk.test_classify import POLICY_KEYS, STARTER, classify

FLOW_SID = "FW" + "1" * 32
FLOW_CHANGED = WorkflowEvidence(
    workflow="Appointment reminders",
    identifiers=("+15550102030", FLOW_SID),
    scope_category="unauthorized_modification",
    reason=(
        'the Studio flow "Reminders" was changed outside Operant on Tuesday, December 1, 2026, '
        "11:20 AM EST; clause 02: unauthorized modifications"
    ),
)
WEBHOOK_CHANGED = WorkflowEvidence(
    workflow="Appointment reminders",
    identifiers=("+15550102030", FLOW_SID),
    scope_category="rebuild_after_client_change",
    reason=(
        "the number +15550102030's SMS webhook now points elsewhere; clause 02: client-initiated "
        "changes to connected accounts"
    ),
)
OTHER_WORKFLOW = WorkflowEvidence(
    workflow="Review requests",
    identifiers=("+442079460018",),
    scope_category="unauthorized_modification",
    reason="the flow of Review requests was changed outside Operant",
)


def with_evidence(*evidence: WorkflowEvidence, keys: tuple[str, ...] = POLICY_KEYS):
    return dataclasses.replace(STARTER, evidence=evidence, out_of_scope_keys=keys)


def assert_evidence_decides(verdict: Classification, category: str, reason: str) -> None:
    assert (verdict.request_class, verdict.scope_category, verdict.clause) == (
        "out_of_scope",
        category,
        "02",
    )
    assert verdict.reasons[0].startswith(reason)
    assert f"evidence:{category}" in verdict.signals


def test_an_outage_report_naming_a_drifted_workflow_is_out_of_scope_with_the_evidence() -> None:
    verdict = classify(
        "Appointment reminders stopped working",
        "None of our patients got a reminder today. Please fix ASAP.",
        with_evidence(FLOW_CHANGED),
    )
    assert_evidence_decides(verdict, "unauthorized_modification", FLOW_CHANGED.reason)
    assert 'names "Appointment reminders"' in verdict.reasons[0]
    # The words are still shown, as what the evidence overruled.
    assert "outage" in verdict.signals
    assert any(r.startswith("also mentions") for r in verdict.reasons)


@pytest.mark.parametrize(
    "written",
    ["+1 555 010 2030", "(555) 010-2030", "555.010.2030", "15550102030", "+15550102030"],
)
def test_a_request_naming_the_number_in_any_common_writing_is_about_the_workflow(
    written: str,
) -> None:
    verdict = classify(
        "Texts", f"Texts to {written} get no reply anymore.", with_evidence(WEBHOOK_CHANGED)
    )
    assert_evidence_decides(verdict, "rebuild_after_client_change", WEBHOOK_CHANGED.reason)
    assert "names its number +15550102030" in verdict.reasons[0]


def test_a_national_number_with_its_trunk_zero_names_the_e164_number() -> None:
    verdict = classify(
        "Broken",
        "The review texts from 020 7946 0018 are broken.",
        with_evidence(OTHER_WORKFLOW, FLOW_CHANGED),
    )
    assert_evidence_decides(verdict, "unauthorized_modification", OTHER_WORKFLOW.reason)
    assert not any(FLOW_CHANGED.reason in reason for reason in verdict.reasons)


def test_a_short_or_different_number_names_nothing() -> None:
    for text in ("Call 010-2030 is down.", "Texts to +1 555 999 2030 are not going out."):
        verdict = classify("Down", text, with_evidence(FLOW_CHANGED, OTHER_WORKFLOW))
        assert verdict.request_class == "outage", text


def test_the_only_drifted_workflow_is_meant_by_a_breakage_report_that_names_nothing() -> None:
    verdict = classify(
        "Help", "Nothing is going out since this morning!", with_evidence(FLOW_CHANGED)
    )
    assert_evidence_decides(verdict, "unauthorized_modification", FLOW_CHANGED.reason)
    assert "the only workflow with such evidence" in verdict.reasons[0]


def test_with_two_drifted_workflows_a_report_naming_neither_stays_an_outage() -> None:
    verdict = classify(
        "Help",
        "Nothing is going out since this morning!",
        with_evidence(FLOW_CHANGED, OTHER_WORKFLOW),
    )
    assert verdict.request_class == "outage"
    assert not any(s.startswith("evidence:") for s in verdict.signals)


def test_without_a_breakage_or_a_name_the_evidence_is_not_used() -> None:
    verdict = classify(
        "Invoice", "Could you send last month's invoice again?", with_evidence(FLOW_CHANGED)
    )
    assert verdict.request_class == "general"
    assert not any(s.startswith("evidence:") for s in verdict.signals)


def test_a_question_naming_the_drifted_workflow_is_classified_with_the_evidence() -> None:
    verdict = classify(
        "Question",
        "Why are the appointment-reminders sending the old opening hours?",
        with_evidence(FLOW_CHANGED),
    )
    assert_evidence_decides(verdict, "unauthorized_modification", FLOW_CHANGED.reason)


def test_the_first_category_in_policy_order_decides_and_the_other_follows() -> None:
    verdict = classify(
        "Appointment reminders down", "They are down.", with_evidence(FLOW_CHANGED, WEBHOOK_CHANGED)
    )
    # rebuild_after_client_change comes before unauthorized_modification in the policy.
    assert_evidence_decides(verdict, "rebuild_after_client_change", WEBHOOK_CHANGED.reason)
    assert any(r.startswith("also " + FLOW_CHANGED.reason) for r in verdict.reasons)


def test_a_change_request_stays_an_adjustment_with_the_evidence_shown() -> None:
    verdict = classify(
        "Appointment reminders",
        "Please change the greeting to mention Saturdays.",
        with_evidence(FLOW_CHANGED),
    )
    assert verdict.request_class == "adjustment"
    assert "evidence:unauthorized_modification" in verdict.signals
    assert any(r.startswith("also " + FLOW_CHANGED.reason) for r in verdict.reasons)


def test_words_naming_another_category_keep_it() -> None:
    verdict = classify(
        "Appointment reminders",
        "Could you add a new feature that books the appointment by text? It is broken today.",
        with_evidence(FLOW_CHANGED),
    )
    assert (verdict.request_class, verdict.scope_category) == ("out_of_scope", "new_feature")


def test_an_integration_outside_the_package_is_still_not_covered() -> None:
    verdict = classify(
        "Appointment reminders on WhatsApp",
        "The WhatsApp reminders are broken.",
        with_evidence(FLOW_CHANGED),
    )
    assert verdict.request_class == "not_covered"


def test_evidence_in_a_category_the_policy_does_not_list_is_not_used() -> None:
    keys = tuple(k for k in POLICY_KEYS if k != "unauthorized_modification")
    verdict = classify(
        "Appointment reminders stopped working",
        "Please fix.",
        with_evidence(FLOW_CHANGED, keys=keys),
    )
    assert verdict.request_class == "outage"


def test_the_name_is_matched_as_whole_words() -> None:
    evidence = dataclasses.replace(FLOW_CHANGED, workflow="Reminders", identifiers=())
    context = with_evidence(evidence, OTHER_WORKFLOW)
    assert classify("Down", "The reminderset tool is down.", context).request_class == "outage"
    verdict = classify("Down", "The REMINDERS are down.", context)
    assert verdict.request_class == "out_of_scope"


def test_a_resource_sid_names_the_workflow() -> None:
    verdict = classify(
        "Flow", f"Flow {FLOW_SID} is failing.", with_evidence(FLOW_CHANGED, OTHER_WORKFLOW)
    )
    assert_evidence_decides(verdict, "unauthorized_modification", FLOW_CHANGED.reason)


def test_an_unknown_sender_has_no_evidence() -> None:
    verdict = classify("Appointment reminders stopped working", "Please fix.", None)
    assert verdict.request_class == "outage"


def test_a_context_without_evidence_is_unchanged() -> None:
    assert STARTER.evidence == ()
    verdict = classify("Appointment reminders stopped working", "Please fix.", STARTER)
    assert verdict.request_class == "outage"
