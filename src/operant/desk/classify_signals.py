"""The words the triage classifier listens for, kept as data so they can be read and extended.

Every pattern is a regex *fragment* written against normalised text (see ``normalise``):
lower case, straight apostrophes, and every run of whitespace, hyphens, underscores and slashes
collapsed to one space. That is why fragments contain plain single spaces and why "stopped-working",
"stopped\\n  working" and "stopped working" all match the same fragment. Fragments of one
category are joined into a single alternation and compiled once at import, wrapped in word
boundaries, so "download" never matches "down" and each category costs one scan of the text.

Lookbehinds (which must have a fixed width) rely on the same normalisation: ``(?<!brand )voice``
sees exactly one space.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# --- normalisation --------------------------------------------------------------------------

# Mail clients send curly apostrophes ("isn’t") and modifier letters; the patterns only spell
# the straight one.
_QUOTES = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u201c": '"', "\u201d": '"', "`": "'"}
)
# Hyphens, dashes, underscores and slashes join words as often as spaces do ("non-urgent",
# "re-created", "SMS/voice", "twilio_sms"); treating them as spaces keeps the patterns simple.
_GAPS = re.compile(r"[\s\-_/\u2010-\u2015]+")


def normalise(text: str) -> str:
    """Lower-case ``text`` and collapse word gaps to single spaces (see the module docstring)."""
    return _GAPS.sub(" ", text.translate(_QUOTES)).lower()


# --- negation -------------------------------------------------------------------------------

# A signal is ignored when one of these words stands at most two words before it in the same
# clause: "not urgent", "nothing is broken", "it's not a new feature", "I don't think it's down".
# Contrast words end the reach of a negation ("not urgent but everything is down").
_NEGATORS = (
    r"not|no|never|nothing|nobody|none|nor|non|without|hardly|"
    r"isn't|isnt|aren't|arent|wasn't|wasnt|weren't|werent|"
    r"don't|dont|doesn't|doesnt|didn't|didnt|won't|wont"
)
NEGATED_TAIL = re.compile(
    rf"\b(?:{_NEGATORS})"
    r"(?: (?!(?:but|though|although|however|yet|except|and)\b)[\w'\"]+){0,2}"
    r" ?[\"'(*]*$"
)
# How far back a negation is looked for: two words and a negator fit comfortably.
NEGATION_WINDOW = 48


# --- integrations (policy clause 05) --------------------------------------------------------

# Aliases a client uses for each standard integration. Catalog entries not listed here get
# aliases from their name and key (``name_aliases``).
INTEGRATION_ALIASES: dict[str, tuple[str, ...]] = {
    "twilio_sms": (
        r"sms",
        r"mms",
        r"text messag(?:es|e|ing)",
        r"texts",
        r"texting",
        r"texted",
        r"twilio sms",
        r"short ?codes?",
        r"a2p",
        r"10 ?dlc",
    ),
    "twilio_voice": (
        # "brand voice" and "tone of voice" are about copy, not the voice integration.
        r"(?<!brand )(?<!tone of )(?<!tone and )voice(?! and tone)(?! of (?:the|our|your))",
        r"voice ?mails?",
        # A bare "call" is usually a meeting ("can we hop on a call?"), so only plural,
        # progressive and automation-shaped uses count.
        r"(?<!follow up )(?<!zoom )(?<!sales )(?<!discovery )(?<!onboarding )(?<!strategy )calls",
        r"calling(?! (?:it|you|me)\b)",
        r"(?:phone|incoming|inbound|outbound|missed|forwarded|dropped) calls?",
        r"call (?:forwarding|routing|flows?|trees?|center|recordings?|drops|dropped|goes|went|logs?)",
        r"(?:customers?|clients?|callers?|patients?|people|someone|nobody) (?:who )?called",
        r"called (?:us|in|our (?:number|line|office)|the (?:number|line|office))",
        r"callers?",
        r"phone trees?",
        r"ivr",
        r"twilio voice",
    ),
    "instagram_messaging": (
        r"instagram",
        r"insta",
        r"ig",
        r"dms?",
        r"direct messag(?:es|e|ing)",
    ),
    "whatsapp": (
        r"whats ?app",
        r"wa business",
    ),
    "webhooks": (
        r"web ?hooks?",
        r"zapier",
    ),
}

# Display names for the standard integrations, used when a client names one the agency's
# catalog lacks (the request is then still about something outside the package).
DEFAULT_NAMES: dict[str, str] = {
    "twilio_sms": "Twilio SMS",
    "twilio_voice": "Twilio Voice",
    "instagram_messaging": "Instagram messaging",
    "whatsapp": "WhatsApp",
    "webhooks": "Custom webhooks",
}

# Words too common to identify an integration on their own when deriving aliases from a name.
_GENERIC_WORDS = frozenset(
    "messaging messages message custom integration integrations automation automations "
    "service services business chat support platform online phone calls text texts email "
    "mail app apps api the and with for web hook hooks data form forms".split()
)


def name_aliases(key: str, name: str, *, known: bool) -> tuple[str, ...]:
    """Escaped regex fragments for an integration's own name (and, if unknown, its words).

    1. The whole name and the key read as words always count ("Instagram messaging").
    2. For an integration without hand-written aliases, each distinctive word of its name
       (four letters or more, not generic) counts too: "Google Reviews" is named by "google".
    """
    phrases = {normalise(name).strip(), normalise(key).strip()}
    if not known:
        phrases.update(
            word
            for word in normalise(name).split()
            if len(word) >= 4 and word.isalnum() and word not in _GENERIC_WORDS
        )
    return tuple(re.escape(phrase) for phrase in sorted(phrases) if phrase)


# --- request signals ------------------------------------------------------------------------


@dataclass(frozen=True)
class SignalCategory:
    """One family of phrases that points at a class (or an out-of-scope category)."""

    key: str  # the out-of-scope key, or "outage" / "urgency" / "adjustment"
    signal: str  # the machine key recorded in Classification.signals
    label: str  # client-readable: what the words suggest
    regex: re.Pattern[str]


def compile_alternation(fragments: tuple[str, ...]) -> re.Pattern[str]:
    """One word-bounded alternation, so a category costs one pass over the text."""
    # Longest first: with equal starts the regex engine keeps the first branch that matches,
    # and the longer phrase is the more telling quote.
    ordered = sorted(fragments, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(ordered) + r")\b")


# Clause 02, in the policy's order (src/operant/policy/operant.toml [[out_of_scope]]).
SCOPE_FRAGMENTS: dict[str, tuple[str, ...]] = {
    "new_feature": (
        r"new features?",
        r"feature requests?",
        r"add (?:an? |another |some |one more )?(?:new )?"
        r"(?:feature|flow|automation|workflow|integration|channel|campaign|bot|chatbot|"
        r"sequence|funnel)s?",
        r"build (?:us |me )?(?:an? |another |some )?new",
        # "Could you add a comma" is a copy edit, not a feature.
        r"(?:could|can|would) you (?:please )?add"
        r"(?! (?:an? |the |one )?(?:comma|period|full stop|word|line|emoji|space|sentence|"
        r"exclamation|question mark|note|signature|link|name)\b)",
        r"set up (?:an? |another |some )?new",
        r"integrate (?:it |this |them |us )?with",
        r"(?:connect|hook) (?:it|this|them|us) (?:up )?(?:to|with) (?:our|a|an) new",
    ),
    "significant_change": (
        r"redesign(?:ed|ing)?",
        r"overhaul(?:ed|ing)?",
        r"revamp(?:ed|ing)?",
        r"restructur(?:e|ed|ing)",
        r"(?:rebuild|rewrite|redo|rework|change) (?:the |our |this )?(?:whole|entire|complete)",
        r"completely (?:change|rework|redo|rebuild|rewrite|different)",
        r"(?:significant|major|big|large|substantial|fundamental) "
        r"(?:change|update|rework|overhaul|revision|redesign)s?",
        r"from scratch",
    ),
    "migration": (
        r"new (?:phone |toll free |business |mobile )?number",
        r"port(?:ed|ing)? (?:over )?(?:our|the|my|a|this|that) (?:\w+ )?number",
        r"porting",
        r"migrat(?:e|ed|es|ing|ion)",
        r"move (?:it|everything|this|us|them|all of it|our account|the (?:bot|automation|"
        r"number|account|flows?|workflows?)) (?:over )?to (?:a new|another|a different|new)",
        r"(?:move|moving|switch|switching|switched) (?:\w+ ){0,2}(?:over )?to "
        r"(?:whatsapp|telnyx|vonage|plivo|bandwidth|messagebird|sinch|ringcentral|hubspot|"
        r"gohighlevel|highlevel|ghl|manychat|respond\.io)",
        r"(?:switch|switching|switched|change|changing) (?:over )?to (?:a )?(?:new|different|another) "
        r"(?:phone |business )?(?:number|platform|provider|carrier|crm|system)",
    ),
    "rebuild_after_client_change": (
        r"(?:we|i|our team|they) (?:just |recently |had to )?(?:changed|reset|updated) "
        r"(?:our |the |my )?(?:\w+ )?(?:password|login|facebook page|business manager|"
        r"business account|instagram account|account|handle|username|credentials|admin)",
        r"re ?connect(?:ed|ing)",
        r"(?:new|different) (?:instagram|facebook|meta|twilio|business|ig) "
        r"(?:account|page|profile|handle)",
        r"switched (?:instagram |facebook |ig |business |twilio )?accounts?",
        r"deleted and re ?(?:created|made|added)",
        r"(?:disconnected|unlinked|removed) (?:the |our |my )?(?:\w+ )?"
        r"(?:account|page|integration|app|connection)",
        r"(?:transferred|changed) (?:the )?ownership",
    ),
    "client_error": (
        r"(?:we|i) (?:\w+ )?accidentally",
        r"accidentally",
        r"by mistake",
        r"mistakenly",
        r"(?:our|my) (?:own )?(?:mistake|fault|bad|error)",
        r"(?:i|we) (?:just |accidentally |mistakenly )?deleted",
        r"(?:i|we) (?:totally |kind of )?messed (?:it |things |something )?up",
        r"wrong (?:\w+ ){0,2}(?:we|i) (?:entered|typed|put in|gave you|sent you)",
        r"(?:we|i) (?:entered|typed|put in|gave you|sent you|uploaded) the wrong",
    ),
    "unauthorized_modification": (
        r"someone (?:on|in|from) (?:our|my) (?:team|staff|office|end|side) (?:\w+ )?"
        r"(?:changed|edited|modified|touched|deleted|messed with|updated|rewrote)",
        r"someone else (?:\w+ )?(?:changed|edited|modified|touched|messed with|rewrote)",
        r"(?:our|my) (?:own |in house |new )?(?:developer|developers|dev|devs|it guy|it team|"
        r"contractor|freelancer|intern|web guy|programmer|agency) (?:\w+ )?"
        r"(?:changed|modified|edited|updated|rewrote|touched|messed with|tweaked)",
        r"(?:we|i) (?:\w+ )?(?:modified|edited|changed|rewrote|tweaked) (?:the |your |some of the )?"
        r"(?:flow|code|script|workflow|logic|webhook|config|configuration|settings|studio flow|"
        r"function)s? (?:ourselves|myself|on our own|directly)",
        r"edited (?:the|your) (?:code|script|studio flow|function)",
        r"(?:logged into|went into|got into) (?:the |your |our )?"
        r"(?:twilio|studio|console|dashboard|account) and (?:changed|edited|modified|deleted)",
    ),
    "third_party_change": (
        r"(?:twilio|meta|instagram|facebook|whatsapp|apple|google|the carriers?|carriers?|"
        r"at&t|verizon|t mobile) (?:has |have |just |recently )*"
        r"(?:changed|deprecated|updated|retired|removed|discontinued|sunset|disabled|"
        r"killed|shut down)(?: (?:their|its|the|a|an)\b)?",
        r"api (?:deprecation|deprecated|changes?|update|version)",
        r"deprecat(?:ed|ion|ing)",
        r"(?:new|updated|changed) (?:carrier|a2p|10 ?dlc|meta|instagram|twilio|whatsapp) "
        r"(?:rules|requirements|regulations|policy|policies|registration)",
        r"policy change by",
        r"(?:meta|instagram|twilio|facebook|carrier)(?:'s)? (?:new )?polic(?:y|ies) "
        r"(?:change|changes|update|updates)",
    ),
}

# Client-readable wording of each clause 02 category.
SCOPE_LABELS: dict[str, str] = {
    "new_feature": "new feature development",
    "significant_change": "a significant workflow change",
    "migration": "a migration to a new phone number or platform",
    "rebuild_after_client_change": "rebuilding after a change to a connected account on your side",
    "client_error": "support needed after a mistake on the client side",
    "unauthorized_modification": "support needed after changes made outside Operant",
    "third_party_change": "support needed because a third-party platform changed",
}

# Clause 03: a live automation is affected.
OUTAGE_FRAGMENTS: tuple[str, ...] = (
    r"outages?",
    r"(?:is|are|was|were|went|goes|gone|been|it's|its|that's|everything's|seems|looks) "
    r"(?:(?:completely|totally|still|all|currently|now|again) )?down",
    r"down (?:again|since|all (?:day|morning|afternoon|night)|for (?:hours|days|the whole))",
    r"(?:not|isn't|isnt|aren't|arent|wasn't|weren't|doesn't|doesnt|don't|dont|won't|wont|"
    r"can't|cant) (?:seem to |appear to |really |currently |even )?work(?:ing|s)?",
    r"(?:no longer|stopped|stops|quit|ceased) (?:working|sending|replying|responding|going out|"
    r"firing|triggering|answering|forwarding|ringing|delivering|running|coming in)",
    r"(?:isn't|isnt|aren't|arent|wasn't|weren't|not) (?:being )?(?:sending|sent|going out|replying|"
    r"responding|delivered|delivering|coming in|coming through|firing|triggering|going through|"
    r"answered|forwarded|getting through|received|ringing)",
    r"no (?:\w+ )?(?:messages|texts|sms|calls|replies|responses|dms|notifications|reminders|"
    r"alerts) (?:are |is |have been |were )?(?:going out|coming in|being sent|sent|"
    r"being delivered|delivered|getting through|coming through|received|being received)",
    r"broken",
    r"failing",
    r"(?:is|are|keeps?) (?:crashing|erroring)",
    r"failed to (?:send|deliver|go out|connect|trigger)",
    r"errors? (?:on|with|for|in) (?:every|all|each)",
    r"(?:throwing|getting|seeing|returning|returns) (?:an? |the same )?errors?",
    r"(?:is|are|went|gone|seems|looks|completely|totally) dead",
    r"dead silent",
    r"(?:went|gone|is|are) offline",
    r"(?:customers|clients|patients|people|callers|users|nobody|no one) "
    r"(?:can't|cannot|cant|can not|are unable to|aren't able to) "
    r"(?:reach|contact|get through|call|text|message)",
    r"nothing (?:is |has been |was )?(?:coming|going) (?:through|out|in)",
    r"(?:not|no longer) (?:getting|receiving) (?:any )?(?:messages|texts|calls|replies|dms|leads)",
)

# Urgency words: the brief counts them as outage signals, but they are labelled apart so an
# agent can tell "it is down" from "please hurry".
URGENCY_FRAGMENTS: tuple[str, ...] = (
    r"urgent(?:ly)?",
    r"asap",
    r"as soon as possible",
    r"emergency",
    r"critical",
)

# Clause 01: a minor change to automation logic or messaging copy.
ADJUSTMENT_FRAGMENTS: tuple[str, ...] = (
    r"(?:change|update|edit|fix|tweak|reword|rewrite|rephrase|modify|adjust|shorten|correct|swap) "
    r"(?:the|our|my|this|that|a|one|some) (?:[\w'\"]+ ){0,3}?"
    r"(?:wording|words|text|copy|message|messages|greeting|greetings|reply|replies|response|"
    r"responses|hours|delay|timing|trigger|keyword|keywords|signature|template|templates|"
    r"phrase|sentence|emoji|menu|reminder|reminders|wait time|link)",
    r"typos?",
    r"tweak(?:s|ed|ing)?",
    r"reword(?:ed|ing)?",
    r"rephrase",
    r"adjust(?:ment|ments|ed|ing)?",
    r"spelling (?:mistake|error)s?",
    r"misspell(?:ed|ing)?",
    r"(?:minor|small|quick|little) (?:change|edit|update|fix|correction)s?",
    r"change (?:it|this|that) to say",
)

SCOPE_CATEGORIES: dict[str, SignalCategory] = {
    key: SignalCategory(
        key=key,
        signal=f"out_of_scope:{key}",
        label=SCOPE_LABELS[key],
        regex=compile_alternation(fragments),
    )
    for key, fragments in SCOPE_FRAGMENTS.items()
}
OUTAGE = SignalCategory(
    key="outage",
    signal="outage",
    label="outage signal",
    regex=compile_alternation(OUTAGE_FRAGMENTS),
)
URGENCY = SignalCategory(
    key="urgency",
    signal="outage",
    label="marked urgent, treated as an outage signal",
    regex=compile_alternation(URGENCY_FRAGMENTS),
)
ADJUSTMENT = SignalCategory(
    key="adjustment",
    signal="adjustment",
    label="a minor adjustment to automation logic or messaging copy",
    regex=compile_alternation(ADJUSTMENT_FRAGMENTS),
)
