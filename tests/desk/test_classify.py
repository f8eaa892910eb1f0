"""The triage classifier: realistic client emails in, a class under the policy out.

Pure code: no database, no Django settings needed.
"""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from operant.desk.classify import (
    CLASS_CLAUSE,
    Classification,
    ClientContext,
    IntegrationInfo,
    classify_request,
)
from operant.desk.classify_signals import (
    ADJUSTMENT,
    INTEGRATION_PHRASES,
    OUTAGE,
    SCOPE_CATEGORIES,
    URGENCY,
    Phrase,
    normalise,
    phrase,
    words_of,
)

SMS = IntegrationInfo("twilio_sms", "Twilio SMS", "twilio")
VOICE = IntegrationInfo("twilio_voice", "Twilio Voice", "twilio")
INSTAGRAM = IntegrationInfo("instagram_messaging", "Instagram messaging", "meta")
WHATSAPP = IntegrationInfo("whatsapp", "WhatsApp messaging", "meta")
WEBHOOKS = IntegrationInfo("webhooks", "Custom webhooks", "")
REVIEWS = IntegrationInfo("google_reviews", "Google Reviews", "google")
CATALOG = (SMS, VOICE, INSTAGRAM, WHATSAPP, WEBHOOKS, REVIEWS)
# Clause 02 keys in the order of src/operant/policy/operant.toml.
POLICY_KEYS = (
    "new_feature",
    "significant_change",
    "migration",
    "rebuild_after_client_change",
    "client_error",
    "unauthorized_modification",
    "third_party_change",
)


def package(
    *included: IntegrationInfo, name: str = "", estimate: int | None = None, limit: int = 30
) -> ClientContext:
    return ClientContext(
        included=included,
        catalog=CATALOG,
        out_of_scope_keys=POLICY_KEYS,
        adjustment_estimate_minutes=estimate,
        minor_request_limit_minutes=limit,
        package_name=name,
    )


STARTER = package(SMS, name="Starter")
GROWTH = package(SMS, VOICE, name="Growth")
OMNI = package(SMS, VOICE, INSTAGRAM, name="Omnichannel")
SMS_AND_HOOKS = package(SMS, WEBHOOKS)  # a custom package, no name on record


def classify(subject: str, text: str, context: ClientContext | None = STARTER) -> Classification:
    return classify_request(subject=subject, text=text, context=context)


# (id, subject, text, context, class, scope category)
EMAILS = [
    # --- outages (clause 03) ---
    (
        "reminders-not-going-out-while-customers-call",
        "Reminders not going out",
        "Hi, since 9am today none of our appointment reminder texts are going out. Customers "
        "are calling the front desk asking why.",
        STARTER,
        "outage",
        "",
    ),
    (
        "instagram-bot-down",
        "URGENT - bot down",
        "Our Instagram auto-reply has been down since last night, DMs aren't being answered.",
        OMNI,
        "outage",
        "",
    ),
    (
        "short-code-nothing-coming-through",
        "Texts stopped sending",
        "Nothing is coming through on our short code since the weekend.",
        STARTER,
        "outage",
        "",
    ),
    (
        "missed-call-text-back-broken",
        "Missed call text back",
        "The missed-call text-back flow is broken, callers get nothing at all.",
        GROWTH,
        "outage",
        "",
    ),
    (
        "customers-cannot-reach-us",
        "Re: help",
        "Customers can't reach us \u2014 every call goes straight to an error message.",
        GROWTH,
        "outage",
        "",
    ),
    (
        "errors-on-every-outbound-sms",
        "Twilio errors",
        "We're getting errors on every outbound SMS since this morning (error 30007).",
        STARTER,
        "outage",
        "",
    ),
    (
        "curly-apostrophe-and-asap-in-subject",
        "asap please",
        "Our confirmation texts aren\u2019t sending.",
        STARTER,
        "outage",
        "",
    ),
    (
        "hyphenated-and-wrapped-symptom",
        "Reminder flow",
        "The reminder flow has\nstopped-working for\n   everyone.",
        STARTER,
        "outage",
        "",
    ),
    # --- clause 02: new_feature ---
    (
        "new-birthday-flow",
        "New feature request",
        "Could you add a new flow that sends a birthday coupon by text?",
        STARTER,
        "out_of_scope",
        "new_feature",
    ),
    (
        "integrate-with-shopify",
        "Shopify",
        "We'd love it if you could integrate with our Shopify store so order updates go out "
        "by SMS.",
        STARTER,
        "out_of_scope",
        "new_feature",
    ),
    # --- clause 02: significant_change ---
    (
        "completely-rework-booking-flow",
        "Booking flow",
        "We want to completely rework how the booking flow works: new questions, new branches, "
        "the lot.",
        STARTER,
        "out_of_scope",
        "significant_change",
    ),
    (
        "rebuild-the-whole-ivr",
        "Bigger project",
        "This is a major change: please rebuild the whole IVR around our departments.",
        GROWTH,
        "out_of_scope",
        "significant_change",
    ),
    # --- clause 02: migration ---
    (
        "porting-our-main-number",
        "Porting",
        "We're porting our main number to another carrier next month, can you move everything "
        "over?",
        STARTER,
        "out_of_scope",
        "migration",
    ),
    (
        "new-phone-number",
        "New number",
        "We got a new phone number for the clinic, please point the reminders at it.",
        STARTER,
        "out_of_scope",
        "migration",
    ),
    (
        "migrate-instagram-flows",
        "Platform",
        "We're switching to a new platform and want to migrate the Instagram flows.",
        OMNI,
        "out_of_scope",
        "migration",
    ),
    # --- clause 02: rebuild_after_client_change ---
    (
        "changed-facebook-page-password",
        "Instagram disconnected",
        "We changed our Facebook page password and the Instagram connection dropped. We "
        "reconnected it but the bot is silent.",
        OMNI,
        "out_of_scope",
        "rebuild_after_client_change",
    ),
    (
        "new-instagram-account",
        "New account",
        "We moved to a new Instagram account (@clinic.new) last week, can you hook the DM "
        "automation up to it?",
        OMNI,
        "out_of_scope",
        "rebuild_after_client_change",
    ),
    # --- clause 02: client_error ---
    (
        "accidentally-deleted-template",
        "Oops",
        "I accidentally deleted the reminder template in Twilio, can you restore it?",
        STARTER,
        "out_of_scope",
        "client_error",
    ),
    (
        "wrong-number-we-entered",
        "Wrong recipients",
        "The appointment texts went to the wrong number we entered in the spreadsheet, that's "
        "our mistake.",
        STARTER,
        "out_of_scope",
        "client_error",
    ),
    # --- clause 02: unauthorized_modification ---
    (
        "someone-on-our-team-edited-the-flow",
        "Flow changed",
        "Someone on our team edited the Studio flow last night and now the text replies look "
        "weird.",
        STARTER,
        "out_of_scope",
        "unauthorized_modification",
    ),
    (
        "our-developer-modified-the-webhook",
        "CRM sync",
        "Our developer modified the webhook code to send one more field and now our CRM gets "
        "nothing.",
        SMS_AND_HOOKS,
        "out_of_scope",
        "unauthorized_modification",
    ),
    # --- clause 02: third_party_change ---
    (
        "meta-changed-their-api",
        "Meta API",
        "Meta changed their API and the Instagram comment-to-DM trigger no longer fires.",
        OMNI,
        "out_of_scope",
        "third_party_change",
    ),
    (
        "new-carrier-rules",
        "10DLC",
        "Twilio says new carrier rules for A2P registration apply from next month. What do we "
        "need to do?",
        STARTER,
        "out_of_scope",
        "third_party_change",
    ),
    # --- adjustments (clause 01) ---
    (
        "change-the-wording",
        "Small tweak",
        "Can you change the wording of the reminder text to say 'see you soon'?",
        STARTER,
        "adjustment",
        "",
    ),
    (
        "typo-in-welcome-message",
        "Typo",
        "There's a typo in our welcome message: 'recieve' should be 'receive'.",
        STARTER,
        "adjustment",
        "",
    ),
    (
        "update-the-hours",
        "Hours",
        "Please update the hours in the after-hours auto reply: we now close at 6pm on Fridays.",
        STARTER,
        "adjustment",
        "",
    ),
    (
        "change-the-delay",
        "Follow-up timing",
        "Could you change the delay on the follow-up text from 2 hours to 1 hour?",
        STARTER,
        "adjustment",
        "",
    ),
    (
        "add-a-comma-is-copy-not-a-feature",
        "Reminder",
        "Could you add a comma after 'Hi {name}' in the reminder?",
        STARTER,
        "adjustment",
        "",
    ),
    # --- general inquiries (clause 01) ---
    (
        "how-do-reminders-work",
        "A question",
        "Could you tell me how the reminder texts work?",
        STARTER,
        "general",
        "",
    ),
    (
        "download-is-not-down",
        "Invoice",
        "Where can I download last month's invoice? The download link in the portal only shows "
        "this month.",
        STARTER,
        "general",
        "",
    ),
    (
        "not-urgent-no-rush",
        "Not urgent",
        "Not urgent at all, no rush: how many texts did we send in March?",
        STARTER,
        "general",
        "",
    ),
    (
        "we-are-not-down",
        "Quick question",
        "We are not down, just a question: can we get a report of replies per week?",
        STARTER,
        "general",
        "",
    ),
    (
        "nothing-is-broken",
        "Thanks",
        "Nothing is broken, I just wanted to say the reminders work great.",
        STARTER,
        "general",
        "",
    ),
    (
        "hop-on-a-call-is-a-meeting-not-voice",
        "Results",
        "Can we hop on a call next week to go over the reminder results?",
        STARTER,
        "general",
        "",
    ),
    (
        "brand-voice-is-copy-not-voice",
        "Kudos",
        "We love the brand voice in the texts you wrote for us.",
        STARTER,
        "general",
        "",
    ),
    (
        "non-urgent-question",
        "non-urgent",
        "Is there a way to see which customers replied STOP?",
        STARTER,
        "general",
        "",
    ),
    # --- not covered by the package (clause 05) ---
    (
        "whatsapp-for-sms-only-client",
        "WhatsApp",
        "Our WhatsApp Business replies stopped working this morning.",
        STARTER,
        "not_covered",
        "",
    ),
    (
        "instagram-dms-for-starter",
        "Instagram DMs",
        "Can you check why our Instagram DMs aren't being answered?",
        STARTER,
        "not_covered",
        "",
    ),
    (
        "voicemail-typo-for-starter",
        "Voicemail",
        "The voicemail greeting has a typo, can you fix it?",
        STARTER,
        "not_covered",
        "",
    ),
    (
        "catalog-integration-named-by-its-word",
        "Reviews",
        "Our Google review requests stopped sending last week.",
        OMNI,
        "not_covered",
        "",
    ),
    (
        "names-both-included-and-excluded",
        "WhatsApp too",
        "We want WhatsApp alongside our SMS reminders, can you set up a new flow for it?",
        STARTER,
        "out_of_scope",
        "new_feature",
    ),
    (
        "names-both-and-an-outage",
        "Texts and WhatsApp",
        "Our texts stopped sending; WhatsApp seems fine though.",
        STARTER,
        "outage",
        "",
    ),
    # --- unknown sender: text only, never not_covered ---
    ("unknown-whatsapp-outage", "Help!!", "Our WhatsApp bot is down!!", None, "outage", ""),
    (
        "unknown-redesign",
        "Quote",
        "Could you quote us a redesign of the whole booking flow?",
        None,
        "out_of_scope",
        "significant_change",
    ),
    (
        "unknown-billing-question",
        "Billing",
        "How do I update my billing email?",
        None,
        "general",
        "",
    ),
    # --- precedence and mixed signals ---
    (
        "third-party-change-outranks-outage",
        "Texts stopped",
        "Texts stopped sending after Twilio deprecated the old API version.",
        STARTER,
        "out_of_scope",
        "third_party_change",
    ),
    (
        "urgency-outranks-adjustment",
        "URGENT",
        "Please change the greeting wording before tomorrow's campaign.",
        STARTER,
        "outage",
        "",
    ),
    (
        "negated-feature-leaves-a-tweak",
        "Reminder copy",
        "It's not a new feature, just a tweak to the reminder wording.",
        STARTER,
        "adjustment",
        "",
    ),
    (
        "contrast-ends-a-negation",
        "Status",
        "Not urgent but everything is down again on the texting side.",
        STARTER,
        "outage",
        "",
    ),
    (
        "policy-order-picks-the-category",
        "Start over",
        "We accidentally deleted everything, so please rebuild the whole flow from scratch.",
        STARTER,
        "out_of_scope",
        "significant_change",
    ),
]


@pytest.mark.parametrize(
    ("subject", "text", "context", "request_class", "scope_category"),
    [pytest.param(*case[1:], id=case[0]) for case in EMAILS],
)
def test_it_classifies_realistic_client_emails(
    subject: str,
    text: str,
    context: ClientContext | None,
    request_class: str,
    scope_category: str,
) -> None:
    verdict = classify(subject, text, context)
    assert (verdict.request_class, verdict.scope_category) == (request_class, scope_category), (
        verdict.reasons
    )
    assert verdict.clause == CLASS_CLAUSE[request_class]


def test_the_table_covers_every_class_and_every_scope_category() -> None:
    assert {case[4] for case in EMAILS} == set(CLASS_CLAUSE)
    assert {case[5] for case in EMAILS} - {""} == set(POLICY_KEYS)
    assert len(EMAILS) >= 40


def test_reasons_quote_the_words_that_triggered_each_signal() -> None:
    verdict = classify("Urgent", "Our SMS reminders stopped working this morning")
    assert verdict.request_class == "outage"
    assert verdict.signals == ("integration:twilio_sms", "outage")
    assert 'mentions "stopped working" (outage signal)' in verdict.reasons
    assert any('"urgent"' in reason for reason in verdict.reasons)
    assert 'names Twilio SMS ("sms"), in the Starter package' in verdict.reasons


def test_not_covered_names_the_integration_and_the_package() -> None:
    verdict = classify("WhatsApp", "Our WhatsApp replies stopped working this morning.")
    assert verdict.request_class == "not_covered"
    assert verdict.clause == "05"
    assert verdict.reasons[0].startswith(
        'names WhatsApp messaging ("whatsapp"), which is not in the Starter package'
    )
    # The outage is still shown to the agent, marked as a lower-precedence signal.
    assert 'also mentions "stopped working" (outage signal)' in verdict.reasons
    assert verdict.signals == ("integration:whatsapp", "outage")


def test_a_package_without_a_name_is_called_your_package() -> None:
    verdict = classify("Hi", "Is Zapier supported?", package(SMS))
    assert verdict.request_class == "not_covered"
    assert "which is not in your package" in verdict.reasons[0]


def test_naming_an_included_integration_too_keeps_the_request_in_the_package() -> None:
    verdict = classify("Hi", "Could WhatsApp customers get the same texts we send today?")
    assert verdict.request_class == "general"
    assert set(verdict.signals) == {"integration:whatsapp", "integration:twilio_sms"}
    assert any(
        "WhatsApp messaging" in r and "not in the Starter package" in r for r in verdict.reasons
    )


def test_an_unknown_sender_is_never_not_covered_but_mentions_are_reported() -> None:
    verdict = classify("WhatsApp", "Can you set up WhatsApp replies for us?", None)
    assert verdict.request_class == "out_of_scope"
    assert verdict.scope_category == "new_feature"
    assert "integration:whatsapp" in verdict.signals
    assert any("package coverage was not checked" in reason for reason in verdict.reasons)


def test_every_signal_is_listed_even_when_a_higher_class_wins() -> None:
    verdict = classify(
        "Urgent",
        "Meta changed their API, our texts stopped sending, and please fix the typo too.",
        OMNI,
    )
    assert verdict.request_class == "out_of_scope"
    assert verdict.scope_category == "third_party_change"
    assert verdict.signals == (
        "integration:twilio_sms",
        "out_of_scope:third_party_change",
        "outage",
        "adjustment",
    )
    also = [reason for reason in verdict.reasons if reason.startswith("also ")]
    assert len(also) == 3  # the outage, the urgency and the adjustment


def test_subject_words_are_quoted_once_when_the_text_repeats_them() -> None:
    verdict = classify("Texts stopped sending", "Hi, our texts stopped sending at noon.")
    assert 'mentions "stopped sending" (outage signal)' in verdict.reasons
    assert 'names Twilio SMS ("texts"), in the Starter package' in verdict.reasons


def test_a_negation_in_the_subject_does_not_reach_into_the_text() -> None:
    verdict = classify("Not", "urgent: the reminders are broken")
    assert verdict.request_class == "outage"
    assert any('"urgent"' in reason for reason in verdict.reasons)


@pytest.mark.parametrize(
    ("minutes", "request_class", "scope_category"),
    [
        pytest.param(20, "adjustment", "", id="within-the-limit"),
        pytest.param(30, "adjustment", "", id="at-the-limit"),
        pytest.param(45, "out_of_scope", "significant_change", id="over-the-limit"),
    ],
)
def test_an_adjustment_estimate_over_the_limit_is_a_significant_change(
    minutes: int, request_class: str, scope_category: str
) -> None:
    context = package(SMS, name="Starter", estimate=minutes)
    verdict = classify("Greeting", "Please change the greeting to mention Saturdays.", context)
    assert (verdict.request_class, verdict.scope_category) == (request_class, scope_category)
    assert any(f"estimated at {minutes} minutes" in reason for reason in verdict.reasons)
    if request_class == "out_of_scope":
        assert verdict.clause == "02"
        assert "over the 30-minute limit" in verdict.reasons[0]
        assert "estimate_over_limit" in verdict.signals


def test_the_limit_comes_from_the_context() -> None:
    context = package(SMS, estimate=45, limit=60)
    verdict = classify("Greeting", "Please change the greeting.", context)
    assert verdict.request_class == "adjustment"
    assert any("within the 60-minute limit" in reason for reason in verdict.reasons)


def test_an_estimate_over_the_limit_does_not_turn_an_outage_into_a_quote() -> None:
    context = package(SMS, estimate=90)
    verdict = classify("Down", "Our reminder texts stopped sending.", context)
    assert verdict.request_class == "outage"
    assert "estimate_over_limit" in verdict.signals


def test_an_estimate_over_the_limit_stays_an_adjustment_without_that_policy_category() -> None:
    context = ClientContext(
        included=(SMS,),
        catalog=CATALOG,
        out_of_scope_keys=("new_feature",),
        adjustment_estimate_minutes=90,
    )
    verdict = classify("Greeting", "Please change the greeting.", context)
    assert verdict.request_class == "adjustment"


def test_only_the_policys_out_of_scope_categories_are_used() -> None:
    context = ClientContext(included=(SMS,), catalog=CATALOG, out_of_scope_keys=("new_feature",))
    verdict = classify("Oops", "I accidentally deleted the reminder texts.", context)
    assert verdict.request_class == "general"
    assert not any(signal.startswith("out_of_scope:") for signal in verdict.signals)


def test_a_catalog_integration_without_phrases_is_named_by_its_name() -> None:
    calendly = IntegrationInfo("calendly_sync", "Calendly sync", "")
    context = ClientContext(
        included=(SMS,), catalog=(*CATALOG, calendly), out_of_scope_keys=POLICY_KEYS
    )
    verdict = classify("Bookings", "The Calendly bookings are not syncing to the texts.", context)
    assert "integration:calendly_sync" in verdict.signals
    assert verdict.request_class == "general"  # it also names Twilio SMS, which is included


def test_a_long_email_still_finds_a_signal_at_the_end() -> None:
    filler = "We had a lovely week and the team says thanks for the help with onboarding. " * 70
    verdict = classify("Update", filler + "PS: the reminder texts stopped sending yesterday.")
    assert len(filler) > 5000
    assert verdict.request_class == "outage"


# --- properties -------------------------------------------------------------------------------


def assert_valid(verdict: Classification, context: ClientContext | None) -> None:
    assert verdict.request_class in CLASS_CLAUSE
    assert verdict.clause == CLASS_CLAUSE[verdict.request_class]
    if verdict.request_class == "out_of_scope":
        keys = POLICY_KEYS if context is None else context.out_of_scope_keys
        assert verdict.scope_category in keys
    else:
        assert verdict.scope_category == ""
    assert verdict.reasons
    assert all(isinstance(reason, str) and reason for reason in verdict.reasons)
    assert len(set(verdict.signals)) == len(verdict.signals)
    if context is None:
        assert verdict.request_class != "not_covered"


CONTEXTS = st.sampled_from([None, STARTER, GROWTH, OMNI, SMS_AND_HOOKS])
# Unicode text seasoned with the words the classifier listens for, so the properties also run
# through the code that finds and weighs signals, not only through "no signal".
SEASONING = st.sampled_from(
    [
        " stopped working ",
        " not ",
        " urgent ",
        " whatsapp ",
        " texts ",
        " new feature ",
        " typo ",
        " we accidentally ",
        " down ",
        " is down ",
        "\u2019",
        "-",
        "\n",
    ]
)
TEXTS = st.lists(st.one_of(st.text(max_size=40), SEASONING), max_size=12).map("".join)


@given(subject=st.text(max_size=60), text=TEXTS, context=CONTEXTS)
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_any_text_gets_a_valid_classification(
    subject: str, text: str, context: ClientContext | None
) -> None:
    assert_valid(classify_request(subject=subject, text=text, context=context), context)


@given(
    text=TEXTS,
    minutes=st.one_of(st.none(), st.integers(min_value=-10, max_value=10_000)),
    limit=st.integers(min_value=0, max_value=600),
)
@settings(max_examples=100)
def test_any_estimate_gets_a_valid_classification(
    text: str, minutes: int | None, limit: int
) -> None:
    context = package(SMS, estimate=minutes, limit=limit)
    assert_valid(classify("Request", text, context), context)


# (signal the phrase raises, phrase): every hand-written phrase the classifier listens for.
ALL_PHRASES = [
    pytest.param(signal, item, id=f"{signal}:{item.fragment[:40]}")
    for signal, phrases in [
        *(
            (f"integration:{key}", tuple(phrase(*pair) for pair in pairs))
            for key, pairs in INTEGRATION_PHRASES.items()
        ),
        *((category.signal, category.phrases) for category in SCOPE_CATEGORIES.values()),
        (OUTAGE.signal, OUTAGE.phrases),
        (URGENCY.signal, URGENCY.phrases),
        (ADJUSTMENT.signal, ADJUSTMENT.phrases),
    ]
    for item in phrases
]
# Plain words for the phrases' open slots, so a drawn match reads the same once normalised.
WORDISH = st.sampled_from([*string.ascii_lowercase, *string.digits, " ", "'", "&"])


@pytest.mark.parametrize(("signal", "item"), ALL_PHRASES)
@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_every_phrase_is_found_in_any_text_it_describes(
    signal: str, item: Phrase, data: st.DataObject
) -> None:
    # Drawn from the phrase's own regex: this proves the anchors (the classifier only runs a
    # phrase whose anchor is a word of the text), the window around them and the regex agree.
    sample = data.draw(st.from_regex(re.compile(item.fragment), fullmatch=True, alphabet=WORDISH))
    text = f"Hello, we said {sample} today."
    assert not item.anchors.isdisjoint(words_of(normalise(text)))
    assert signal in classify_request(subject="", text=text, context=None).signals
