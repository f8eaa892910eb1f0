"""Twilio's error codes, grouped by whose problem they are.

Only a failure of ours (our account, number, code or content) says the workflow is broken;
but a carrier can also fail for everyone at once, so recipient/carrier errors count toward
the failure rate too: one of them stays below the workflow's minimum count, many of them in
a window are an outage worth a look. Opted out (21610) is the recipient's choice and Twilio
doing its job: it is recorded but counted neither as delivered nor as failed.
A code not listed here counts as a failure ("other"), so a new kind of error is noticed.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorGroup:
    key: str
    label: str
    counts_as_failure: bool


RECIPIENT = ErrorGroup("recipient", "the recipient's handset or carrier", True)
OPTED_OUT = ErrorGroup("opted_out", "the recipient opted out", False)
ACCOUNT = ErrorGroup("account", "our Twilio account or number", True)
OWN_CODE = ErrorGroup("own_code", "our own code or content", True)
OTHER = ErrorGroup("other", "an error Twilio did not explain further", True)

_GROUPS: dict[ErrorGroup, tuple[int, ...]] = {
    # Unreachable, unknown or blocked handset; landline; carrier failure or violation of its
    # rules for this recipient; an invalid or unroutable destination number.
    RECIPIENT: (21211, 21612, 21614, 30003, 30004, 30005, 30006, 30008, 30009),
    # "Attempt to send to unsubscribed recipient" (the recipient replied STOP).
    OPTED_OUT: (21610,),
    # Sending too fast, suspended account, filtering of our traffic, price limits, A2P 10DLC
    # and toll-free registration, sender id or region not enabled, a From that is not ours.
    ACCOUNT: (
        21408,
        21606,
        30001,
        30002,
        30007,
        30010,
        30022,
        30023,
        30024,
        30027,
        30032,
        30034,
        30035,
    ),
    # Our webhook or Function failed or answered what Twilio cannot use (HTTP errors,
    # timeouts, bad TwiML or content type, a Studio/Function error), or content too large.
    OWN_CODE: (11200, 11205, 11206, 11750, 12100, 12200, 12300, 30019, 81015, 82002, 82005),
}
_BY_CODE = {code: group for group, codes in _GROUPS.items() for code in codes}


def error_group(code: str | int | None) -> ErrorGroup | None:
    """The group of a Twilio error code; None when there is no error code."""
    if code in (None, ""):
        return None
    try:
        number = int(str(code).strip())
    except ValueError:
        return OTHER
    if number == 0:  # some callbacks carry ErrorCode=0 for "no error"
        return None
    return _BY_CODE.get(number, OTHER)
