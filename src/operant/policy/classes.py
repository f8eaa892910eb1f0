"""The request classes the desk files tickets under, and the policy clause behind each.

Defined once, here: the policy file gives response targets per class (``[response.classes]``),
the classifier picks one, a ticket stores one (``desk.models.RequestClass`` is this enum as
Django choices), and a client is shown the clause as "why". Pure: no Django, so the classifier
stays pure too.
"""

from __future__ import annotations

from enum import StrEnum


class RequestClass(StrEnum):
    OUTAGE = "outage"
    GENERAL = "general"
    ADJUSTMENT = "adjustment"
    OUT_OF_SCOPE = "out_of_scope"
    NOT_COVERED = "not_covered"

    @property
    def label(self) -> str:
        return CLASS_LABEL[self]

    @property
    def clause(self) -> str:
        return CLASS_CLAUSE[self]


CLASS_LABEL: dict[str, str] = {
    RequestClass.OUTAGE: "Outage affecting a live automation",
    RequestClass.GENERAL: "General inquiry",
    RequestClass.ADJUSTMENT: "Minor adjustment",
    RequestClass.OUT_OF_SCOPE: "Out of scope",
    RequestClass.NOT_COVERED: "Not covered by the service package",
}

# The policy clause behind each class: 03 response targets for outages, 01 support and minor
# adjustments, 02 work quoted separately, 05 integrations outside the client's package.
CLASS_CLAUSE: dict[str, str] = {
    RequestClass.OUTAGE: "03",
    RequestClass.GENERAL: "01",
    RequestClass.ADJUSTMENT: "01",
    RequestClass.OUT_OF_SCOPE: "02",
    RequestClass.NOT_COVERED: "05",
}
