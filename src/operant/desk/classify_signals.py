"""The phrases the triage classifier listens for, kept as data so they can be read and extended.

Each phrase is ``(anchors, fragment)``:

- ``fragment`` is a regex written against *normalised* text (``normalise``): lower case,
  straight apostrophes, every run of whitespace, hyphens, dashes, underscores, slashes, brackets
  and double quotes collapsed to one space. So fragments contain plain single spaces, and
  "stopped-working", "Stopped\\n   working" and "stopped working" all match the same one.
  Fixed-width lookbehinds rely on that too: ``(?<!brand )voice`` sees exactly one space.
- ``anchors`` are words of which at least one appears in every text the fragment matches.

Why anchors: scanning a 5 KB email with one word-bounded alternation per category cost about
5 ms here, because the regex engine tries every branch at every position. Instead the classifier
builds the set of the text's words once and runs only the (precompiled) fragments whose anchors
are in it, and only over the stretch of text where those anchors occur: a typical request runs a
handful of regexes over a few hundred characters. Every fragment is compiled as
``" (?:fragment)\\b"``: the leading space is both the word boundary on the left (normalised text
puts a space before every word) and a literal prefix the engine searches for at C speed. Case is
folded once, by ``normalise``, rather than per regex. A test draws matches of every fragment from
its own regex and checks the classifier finds each one, so a wrong anchor cannot go unnoticed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# --- normalisation --------------------------------------------------------------------------

# Word gaps other than a plain space: whitespace of every kind, joiners ("non-urgent",
# "re-created", "SMS/voice", "twilio_sms") and the brackets and double quotes that would otherwise
# stand between a space and a word. Left alone: sentence punctuation (it ends a negation's reach)
# and the apostrophe (it belongs to "isn't").
_ASCII_GAPS = '\t\n\r\f\v\x1c\x1d\x1e\x1f-_/\\|"()[]{}*<>#@~^=+'
_NON_ASCII_GAPS = re.compile(
    "[\x85\xa0\u1680\u2000-\u200a\u2010-\u2015\u2018\u201c\u201d\u2028\u2029\u202f\u205f\u3000]+"
)
# Mail clients send curly and modifier apostrophes ("isn\u2019t"); the fragments spell the
# straight one.
_NON_ASCII_APOSTROPHES = ("\u2019", "\u02bc")
_GAP_TABLE = str.maketrans(_ASCII_GAPS + "`", " " * len(_ASCII_GAPS) + "'")
_GAP_BYTES = bytes.maketrans((_ASCII_GAPS + "`").encode(), (" " * len(_ASCII_GAPS) + "'").encode())
_SPACES = re.compile("  +")
_QUOTE_OPENERS = re.compile(" '+")
# Sentence punctuation clinging to words, dropped when listing the words of a text.
_EDGES = ".,!?;:"
_EDGE_TABLE = str.maketrans(_EDGES, " " * len(_EDGES))
_EDGE_BYTES = bytes.maketrans(_EDGES.encode(), b" " * len(_EDGES))


def _translate(text: str, table: dict[int, int], table_bytes: bytes) -> str:
    """Map ASCII characters one to one, fast whatever the text holds.

    str.translate runs at C speed only while the text is ASCII; one emoji or curly quote and it
    falls back to a per-character dictionary lookup. Bytes translate never does, and mapping
    ASCII bytes leaves UTF-8 sequences intact (every byte of a multi-byte sequence is >= 0x80).
    """
    if text.isascii():
        return text.translate(table)
    raw = text.encode("utf-8", "surrogatepass").translate(table_bytes)
    return raw.decode("utf-8", "surrogatepass")


def normalise(text: str) -> str:
    """``text`` lower-cased, gaps collapsed to single spaces, padded with a space each side."""
    text = text.lower()
    if not text.isascii():
        for apostrophe in _NON_ASCII_APOSTROPHES:
            text = text.replace(apostrophe, "'")
        text = _NON_ASCII_GAPS.sub(" ", text)
    text = " " + _translate(text, _GAP_TABLE, _GAP_BYTES) + " "
    # A quote opening a word ("'urgent'") would hide the word from the leading-space prefix.
    text = _QUOTE_OPENERS.sub(" ", text)
    return _SPACES.sub(" ", text)


def words_of(normalised: str) -> frozenset[str]:
    """The words of normalised text, without clinging punctuation: what anchors are looked up in."""
    bare = _translate(normalised, _EDGE_TABLE, _EDGE_BYTES).replace("' ", " ")
    return frozenset(bare.split())


# --- phrases --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Phrase:
    anchors: frozenset[str]
    fragment: str
    regex: re.Pattern[str]  # " (?:fragment)\b": matches start at the space before the phrase


def phrase(anchors: str, fragment: str) -> Phrase:
    """A phrase from space-separated anchor words and a regex fragment."""
    return Phrase(
        anchors=frozenset(anchors.split()),
        fragment=fragment,
        regex=re.compile(f" (?:{fragment})\\b"),
    )


@dataclass(frozen=True)
class SignalCategory:
    """One family of phrases that points at a class (or an out-of-scope category)."""

    key: str  # the out-of-scope key, or "outage" / "urgency" / "adjustment"
    signal: str  # the machine key recorded in Classification.signals
    label: str  # client-readable: what the words suggest
    phrases: tuple[Phrase, ...]
    anchors: frozenset[str]  # every phrase's anchors: one lookup skips a silent category


def category(key: str, signal: str, label: str, pairs: Iterable[tuple[str, str]]) -> SignalCategory:
    phrases = tuple(phrase(anchors, fragment) for anchors, fragment in pairs)
    return SignalCategory(
        key=key,
        signal=signal,
        label=label,
        phrases=phrases,
        anchors=frozenset().union(*(p.anchors for p in phrases)),
    )


# --- negation -------------------------------------------------------------------------------

# A phrase is ignored when one of these words stands at most two words before it in the same
# clause: "not urgent", "nothing is broken", "it's not a new feature", "I don't think it's down".
# Clause openers end a negation's reach (below), and so does any punctuation, since the words
# between may only be letters, digits and apostrophes.
_NEGATORS = (
    r"not|no|never|nothing|nobody|none|nor|non|without|hardly|"
    r"isn't|isnt|aren't|arent|wasn't|wasnt|weren't|werent|"
    r"don't|dont|doesn't|doesnt|didn't|didnt|won't|wont"
)
# Words that open a new clause: "not urgent but ...", "no idea why it's down", "not sure if the
# texts stopped" all still report the thing after them.
_CLAUSE_OPENERS = (
    r"but|though|although|however|yet|except|and|because|since|so|why|how|what|when|where|if"
    r"|whether"
)
NEGATED_TAIL = re.compile(
    rf"(?<![\w'])(?:{_NEGATORS})(?: (?!(?:{_CLAUSE_OPENERS})\b)[\w']+){{0,2}} $"
)
# How far back a negation is looked for: a negator and two words fit comfortably.
NEGATION_WINDOW = 48


# --- integrations (policy clause 05) --------------------------------------------------------

# How clients name each standard integration. Catalog entries not listed here are named by their
# own name, key and distinctive words (``name_phrases``).
INTEGRATION_PHRASES: dict[str, tuple[tuple[str, str], ...]] = {
    "twilio_sms": (
        ("sms", r"sms"),
        ("mms", r"mms"),
        ("text", r"text messag(?:es|e|ing)"),
        ("texts", r"texts"),
        ("texting", r"texting"),
        ("texted", r"texted"),
        ("short shortcode shortcodes", r"short ?codes?"),
        ("a2p", r"a2p"),
        ("10dlc dlc", r"10 ?dlc"),
    ),
    "twilio_voice": (
        # "Brand voice" and "tone of voice" are about copy, not the voice integration.
        (
            "voice",
            r"(?<!brand )(?<!tone of )(?<!tone and )voice(?! and tone)(?! of (?:the|our|your))",
        ),
        ("voicemail voicemails voice", r"voice ?mails?"),
        # A bare "call" is usually a meeting ("can we hop on a call?"): only plural,
        # progressive and automation-shaped uses name the integration.
        (
            "calls",
            r"(?<!follow up )(?<!zoom )(?<!sales )(?<!discovery )(?<!onboarding )"
            r"(?<!strategy )(?<!two )(?<!few )calls",
        ),
        ("calling", r"calling(?! (?:it|you|me)\b)"),
        ("call calls", r"(?:phone|incoming|inbound|outbound|missed|forwarded|dropped) calls?"),
        (
            "call",
            r"call (?:forwarding|routing|flows?|trees?|center|recordings?|drops|dropped|goes|went"
            r"|logs?)",
        ),
        (
            "called",
            r"(?:customers?|clients?|callers?|patients?|people|someone|nobody) (?:who )?called",
        ),
        ("called", r"called (?:us|in|our (?:number|line|office)|the (?:number|line|office))"),
        ("caller callers", r"callers?"),
        ("tree trees", r"phone trees?"),
        ("ivr", r"ivr"),
    ),
    "instagram_messaging": (
        ("instagram", r"instagram"),
        ("insta", r"insta"),
        ("ig", r"ig"),
        ("dm dms", r"dms?"),
        ("direct", r"direct messag(?:es|e|ing)"),
    ),
    "whatsapp": (
        ("whatsapp whats", r"whats ?app"),
        ("wa", r"wa business"),
    ),
    "webhooks": (
        ("webhook webhooks web", r"web ?hooks?"),
        ("zapier", r"zapier"),
    ),
}

# Display names for the standard integrations, for when the agency's catalog lacks one a client
# names (the request is then still about something outside its package).
DEFAULT_NAMES: dict[str, str] = {
    "twilio_sms": "Twilio SMS",
    "twilio_voice": "Twilio Voice",
    "instagram_messaging": "Instagram messaging",
    "whatsapp": "WhatsApp",
    "webhooks": "Custom webhooks",
}

# Words too common to identify an integration on their own when phrases come from its name.
_GENERIC_WORDS = frozenset(
    "messaging messages message custom integration integrations automation automations "
    "service services business chat support platform online phone calls text texts email "
    "mail apps the and with for web hook hooks data form forms".split()
)


def name_phrases(key: str, name: str, *, known: bool) -> tuple[Phrase, ...]:
    """Phrases for an integration's own name (and, if it has no hand-written ones, its words).

    1. The whole name and the key read as words always count ("Instagram messaging").
    2. An integration without hand-written phrases is also named by each distinctive word of its
       name (four letters or more, not generic): "Google Reviews" is named by "google".
    """
    texts = {normalise(name).strip(), normalise(key).strip()}
    if not known:
        texts.update(
            word
            for word in normalise(name).split()
            if len(word) >= 4 and word.isalnum() and word not in _GENERIC_WORDS
        )
    # Every word of a literal phrase must appear, so any one of them is a sound anchor.
    return tuple(
        phrase(" ".join(words_of(f" {text} ")), re.escape(text)) for text in sorted(texts) if text
    )


# --- clause 02: out of scope, in the policy's order -----------------------------------------

# Things a client asks to "add" that are copy edits (clause 01), not features (clause 02).
_COPY_EDIT = (
    r"(?:an? |the |one )?(?:comma|period|full stop|word|line|emoji|space|sentence|exclamation"
    r"|question mark|note|signature|link|name)"
)

_NEW_FEATURE = (
    ("feature features", r"new features?"),
    ("feature", r"feature requests?"),
    (
        "add",
        r"add (?:an? |another |some |one more )?(?:new )?(?:feature|flow|automation|workflow"
        r"|integration|channel|campaign|bot|chatbot|sequence|funnel)s?",
    ),
    ("build", r"build (?:us |me )?(?:an? |another |some )?new"),
    # "Could you add a comma" is a copy edit, not a feature.
    (
        "add",
        rf"(?:could|can|would) you (?:please )?add(?! {_COPY_EDIT}\b)",
    ),
    ("set", r"set up (?:an? |another |some )?new"),
    (
        "set build create",
        r"(?:set up|build|create) (?:an? |another |some |us an? )?(?:[\w']+ )?(?:flow|automation"
        r"|bot|chatbot|campaign|integration|auto ?repl(?:y|ies)|replies|sequence|workflow"
        r"|funnel)s?",
    ),
    ("integrate", r"integrate (?:it |this |them |us )?with"),
)
_SIGNIFICANT_CHANGE = (
    ("redesign redesigned redesigning", r"redesign(?:ed|ing)?"),
    ("overhaul overhauled overhauling", r"overhaul(?:ed|ing)?"),
    ("revamp revamped revamping", r"revamp(?:ed|ing)?"),
    ("restructure restructured restructuring", r"restructur(?:e|ed|ing)"),
    (
        "whole entire complete",
        r"(?:rebuild|rewrite|redo|rework|change) (?:the |our |this )?(?:whole|entire|complete)",
    ),
    ("completely", r"completely (?:change|rework|redo|rebuild|rewrite|different)"),
    (
        "significant major big large substantial fundamental",
        r"(?:significant|major|big|large|substantial|fundamental) "
        r"(?:change|update|rework|overhaul|revision|redesign)s?",
    ),
    ("scratch", r"from scratch"),
)
_MIGRATION = (
    ("number", r"new (?:phone |toll free |business |mobile )?number"),
    (
        "port ported porting",
        r"port(?:ed|ing)? (?:over )?(?:our|the|my|a|this|that) (?:\w+ )?number",
    ),
    ("porting", r"porting"),
    ("migrate migrated migrates migrating migration", r"migrat(?:e|ed|es|ing|ion)"),
    (
        "move",
        r"move (?:it|everything|this|us|them|all of it|our account|the (?:bot|automation|number"
        r"|account|flows?|workflows?)) (?:over )?to (?:a new|another|a different|new)",
    ),
    (
        "whatsapp telnyx vonage plivo bandwidth messagebird sinch ringcentral hubspot "
        "gohighlevel highlevel ghl manychat",
        r"(?:move|moving|switch|switching|switched) (?:[\w']+ ){0,2}(?:over )?to (?:whatsapp"
        r"|telnyx|vonage|plivo|bandwidth|messagebird|sinch|ringcentral|hubspot|gohighlevel"
        r"|highlevel|ghl|manychat)",
    ),
    (
        "switch switching switched change changing",
        r"(?:switch|switching|switched|change|changing) (?:over )?to (?:a )?(?:new|different"
        r"|another) (?:phone |business )?(?:number|platform|provider|carrier|crm|system)",
    ),
)
_REBUILD_AFTER_CLIENT_CHANGE = (
    (
        "changed reset updated",
        r"(?:we|i|our team|they) (?:just |recently |had to )?(?:changed|reset|updated) "
        r"(?:our |the |my )?(?:[\w']+ )?(?:password|login|facebook page|business manager"
        r"|business account|instagram account|account|handle|username|credentials|admin)",
    ),
    ("reconnected reconnecting re", r"re ?connect(?:ed|ing)"),
    (
        "account page profile handle",
        r"(?:new|different) (?:instagram|facebook|meta|twilio|business|ig) "
        r"(?:account|page|profile|handle)",
    ),
    ("switched", r"switched (?:instagram |facebook |ig |business |twilio )?accounts?"),
    ("deleted", r"deleted and re ?(?:created|made|added)"),
    (
        "disconnected unlinked removed",
        r"(?:disconnected|unlinked|removed) (?:the |our |my )?(?:[\w']+ )?"
        r"(?:account|page|integration|app|connection)",
    ),
    ("ownership", r"(?:transferred|changed) (?:the )?ownership"),
)
_CLIENT_ERROR = (
    ("accidentally", r"accidentally"),
    ("mistake", r"by mistake"),
    ("mistakenly", r"mistakenly"),
    ("mistake fault bad error", r"(?:our|my) (?:own )?(?:mistake|fault|bad|error)"),
    ("deleted", r"(?:i|we) (?:just |accidentally |mistakenly )?deleted"),
    ("messed", r"(?:i|we) (?:totally |kind of )?messed (?:it |things |something )?up"),
    ("wrong", r"wrong (?:[\w']+ ){0,2}(?:we|i) (?:entered|typed|put in|gave you|sent you)"),
    ("wrong", r"(?:we|i) (?:entered|typed|put in|gave you|sent you|uploaded) the wrong"),
)
_UNAUTHORIZED_MODIFICATION = (
    (
        "someone",
        r"someone (?:on|in|from) (?:our|my) (?:team|staff|office|end|side) (?:[\w']+ )?"
        r"(?:changed|edited|modified|touched|deleted|messed with|updated|rewrote)",
    ),
    (
        "someone",
        r"someone else (?:[\w']+ )?(?:changed|edited|modified|touched|messed with|rewrote)",
    ),
    (
        "changed modified edited updated rewrote touched messed tweaked",
        r"(?:our|my) (?:own |in house |new )?(?:developer|developers|dev|devs|it guy|it team"
        r"|contractor|freelancer|intern|web guy|programmer|agency) (?:[\w']+ )?"
        r"(?:changed|modified|edited|updated|rewrote|touched|messed with|tweaked)",
    ),
    (
        "ourselves myself own directly",
        r"(?:we|i) (?:[\w']+ )?(?:modified|edited|changed|rewrote|tweaked) (?:the |your "
        r"|some of the )?(?:flow|code|script|workflow|logic|webhook|config|configuration|settings"
        r"|studio flow|function)s? (?:ourselves|myself|on our own|directly)",
    ),
    ("edited", r"edited (?:the|your) (?:code|script|studio flow|function)"),
    (
        "logged went got",
        r"(?:logged into|went into|got into) (?:the |your |our )?"
        r"(?:twilio|studio|console|dashboard|account) and (?:changed|edited|modified|deleted)",
    ),
)
_THIRD_PARTY_CHANGE = (
    (
        "changed deprecated updated retired removed discontinued sunset disabled killed shut",
        r"(?:twilio|meta|instagram|facebook|whatsapp|apple|google|the carriers?|carriers?|at&t"
        r"|verizon|t mobile) (?:has |have |just |recently ){0,2}(?:changed|deprecated|updated"
        r"|retired|removed|discontinued|sunset|disabled|killed|shut down)",
    ),
    (
        "deprecation deprecated change changes update version",
        r"api (?:deprecation|deprecated|changes?|update|version)",
    ),
    ("deprecated deprecation deprecating", r"deprecat(?:ed|ion|ing)"),
    (
        "rules requirements regulations policy policies registration",
        r"(?:new|updated|changed) (?:carrier|a2p|10 ?dlc|meta|instagram|twilio|whatsapp) "
        r"(?:rules|requirements|regulations|policy|policies|registration)",
    ),
    ("policy", r"policy change by"),
    (
        "change changes update updates",
        r"(?:meta|instagram|twilio|facebook|carrier)(?:'s)? (?:new )?polic(?:y|ies) "
        r"(?:change|changes|update|updates)",
    ),
)

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

SCOPE_CATEGORIES: dict[str, SignalCategory] = {
    key: category(key, f"out_of_scope:{key}", SCOPE_LABELS[key], pairs)
    for key, pairs in (
        ("new_feature", _NEW_FEATURE),
        ("significant_change", _SIGNIFICANT_CHANGE),
        ("migration", _MIGRATION),
        ("rebuild_after_client_change", _REBUILD_AFTER_CLIENT_CHANGE),
        ("client_error", _CLIENT_ERROR),
        ("unauthorized_modification", _UNAUTHORIZED_MODIFICATION),
        ("third_party_change", _THIRD_PARTY_CHANGE),
    )
}

# --- clause 03: outage of a live automation -------------------------------------------------

_NOT_FORMS = r"not|isn't|isnt|aren't|arent|wasn't|weren't|doesn't|doesnt|don't|dont|won't|wont"
OUTAGE = category(
    "outage",
    "outage",
    "outage signal",
    (
        ("outage outages", r"outages?"),
        (
            "down",
            r"(?:is|are|was|were|went|goes|gone|been|it's|its|that's|everything's|seems|looks) "
            r"(?:(?:completely|totally|still|all|currently|now|again) )?down",
        ),
        (
            "down",
            r"down (?:again|since|all (?:day|morning|afternoon|night)"
            r"|for (?:hours|days|the whole))",
        ),
        (
            "work working works",
            rf"(?:{_NOT_FORMS}|can't|cant) (?:seem to |appear to |really |currently |even )?"
            r"work(?:ing|s)?",
        ),
        (
            "working sending replying responding going firing triggering answering forwarding "
            "ringing delivering running coming",
            r"(?:no longer|stopped|stops|quit|ceased) (?:working|sending|replying|responding"
            r"|going out|firing|triggering|answering|forwarding|ringing|delivering|running"
            r"|coming in)",
        ),
        (
            "sending sent going replying responding delivered delivering coming firing "
            "triggering answered forwarded getting received ringing",
            r"(?:isn't|isnt|aren't|arent|wasn't|weren't|not) (?:being )?(?:sending|sent"
            r"|going out|replying|responding|delivered|delivering|coming in|coming through"
            r"|firing|triggering|going through|answered|forwarded|getting through|received"
            r"|ringing)",
        ),
        (
            "messages texts sms calls replies responses dms notifications reminders alerts",
            r"no (?:[\w']+ )?(?:messages|texts|sms|calls|replies|responses|dms|notifications"
            r"|reminders|alerts) (?:are |is |have been |were )?(?:going out|coming in|being sent"
            r"|sent|being delivered|delivered|getting through|coming through|received"
            r"|being received)",
        ),
        ("broken", r"broken"),
        ("failing", r"failing"),
        ("crashing erroring", r"(?:is|are|keeps?) (?:crashing|erroring)"),
        ("failed", r"failed to (?:send|deliver|go out|connect|trigger)"),
        ("error errors", r"errors? (?:on|with|for|in) (?:every|all|each)"),
        (
            "error errors",
            r"(?:throwing|getting|seeing|returning|returns) (?:an? |the same )?errors?",
        ),
        ("dead", r"(?:is|are|went|gone|seems|looks|completely|totally) dead"),
        ("dead", r"dead silent"),
        ("offline", r"(?:went|gone|is|are) offline"),
        (
            "customers clients patients people callers users nobody one",
            r"(?:customers|clients|patients|people|callers|users|nobody|no one) "
            r"(?:can't|cannot|cant|can not|are unable to|aren't able to) "
            r"(?:reach|contact|get through|call|text|message)",
        ),
        ("nothing", r"nothing (?:is |has been |was )?(?:coming|going) (?:through|out|in)"),
        (
            "messages texts calls replies dms leads",
            r"(?:not|no longer) (?:getting|receiving) (?:any )?(?:messages|texts|calls|replies"
            r"|dms|leads)",
        ),
    ),
)
# The brief counts urgency words as outage signals; they are labelled apart so an agent can tell
# "it is down" from "please hurry".
URGENCY = category(
    "urgency",
    "outage",
    "marked urgent, treated as an outage signal",
    (
        ("urgent urgently", r"urgent(?:ly)?"),
        ("asap", r"asap"),
        ("possible", r"as soon as possible"),
        ("emergency", r"emergency"),
        ("critical", r"critical"),
    ),
)

# --- clause 01: a minor change to automation logic or messaging copy ------------------------

ADJUSTMENT = category(
    "adjustment",
    "adjustment",
    "a minor adjustment to automation logic or messaging copy",
    (
        (
            "wording words text copy message messages greeting greetings reply replies response "
            "responses hours delay timing trigger keyword keywords signature template templates "
            "phrase sentence emoji menu reminder reminders time link",
            r"(?:change|update|edit|fix|tweak|reword|rewrite|rephrase|modify|adjust|shorten"
            r"|correct|swap) (?:the|our|my|this|that|a|one|some) (?:[\w']+ ){0,3}?(?:wording"
            r"|words|text|copy|message|messages|greeting|greetings|reply|replies|response"
            r"|responses|hours|delay|timing|trigger|keyword|keywords|signature|template"
            r"|templates|phrase|sentence|emoji|menu|reminder|reminders|wait time|link)",
        ),
        # Small copy edits a client asks to "add" (the clause 02 "could you add" skips these).
        ("add", rf"add {_COPY_EDIT}"),
        ("typo typos", r"typos?"),
        ("tweak tweaks tweaked tweaking", r"tweak(?:s|ed|ing)?"),
        ("reword reworded rewording", r"reword(?:ed|ing)?"),
        ("rephrase", r"rephrase"),
        (
            "adjust adjustment adjustments adjusted adjusting",
            r"adjust(?:ment|ments|ed|ing)?",
        ),
        ("mistake mistakes error errors", r"spelling (?:mistake|error)s?"),
        ("misspell misspelled misspelling", r"misspell(?:ed|ing)?"),
        (
            "minor small quick little",
            r"(?:minor|small|quick|little) (?:change|edit|update|fix|correction)s?",
        ),
        ("say", r"change (?:it|this|that) to say"),
    ),
)
