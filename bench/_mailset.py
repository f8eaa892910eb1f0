"""A deterministic set of varied inbound support emails for the mail benchmarks.

``generate(count, seed)`` returns the same raw RFC 5322 messages (bytes, CRLF line ends, as an
IMAP server hands them over) for the same arguments, together with the clients and contact
addresses that send them, so a harness can create those clients first. The set is meant to look
like a month of a real support mailbox of an SMS/voice automation agency:

- new requests in the five request classes (outage, adjustment, out of scope, not covered,
  general), written in several ways each, with greetings, sign-offs and signatures;
- plain text, multipart/alternative with an HTML part, HTML only, and mixed messages carrying
  small attachments (a few KB: screenshots, CSV exports, PDFs, one with an RFC 2231 name);
- UTF-8 bodies (8bit, quoted-printable or base64) and ISO-8859-1 bodies, RFC 2047 encoded
  subjects and display names;
- replies that quote the history below them (``On ... wrote:`` with ``>`` lines, Outlook's
  ``From:/Sent:`` block, an HTML ``<blockquote>``), threaded by In-Reply-To/References to an
  earlier message of the set, or by an ``[OPR-n]`` reference in the subject only;
- out-of-office auto-replies, mail from unknown senders (some of whom write again), and a few
  exact redeliveries of an earlier message (as IMAP does after a dropped connection).

``[OPR-n]`` references guess the ticket number as the ordinal of the thread's first message
among the messages that start a thread: a desk that opens one ticket per thread start, numbered
from 1 in a fresh database, gets the guess right; the set itself never depends on it.

Nothing here touches Django or the network; ``python bench/_mailset.py`` prints a summary.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

SUPPORT = Address("Operant Support", "support", "operantco.com")
PACKAGES = ("starter", "growth", "omnichannel")
DEFAULT_COUNT = 3000
DEFAULT_SEED = 2026
DEFAULT_START = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)  # a Monday, 08:00 in New York
CLIENT_COUNT = 50
NEW_YORK_WINTER = timezone(timedelta(hours=-5))
MAX_QUOTED_CHARS = 6000

# --- who writes ---------------------------------------------------------------------------

_BUSINESS_KINDS = (
    "Dental|Family Dentistry|Physical Therapy|Salon|Barbers|Auto Repair|Veterinary Clinic|"
    "Yoga Studio|Law Office|Plumbing|HVAC|Chiropractic|Pet Grooming|Pilates|Tutoring|"
    "Dermatology|Realty|Car Wash"
).split("|")
_PLACES = (
    "Brooklyn|Hoboken|Maple Street|Riverside|Harbor|Summit|Oak Park|Lakeside|Hudson|"
    "Greenpoint|Astoria|Montclair|Westfield|Bayview"
).split("|")
# "First Last" names; some need RFC 2047 in a display name.
_PEOPLE = [
    tuple(name.split(" "))
    for name in (
        "Maria Gonzalez|James Carter|Priya Natarajan|Tom Walsh|José Martínez|Chloé Dubois|"
        "Jürgen Müller|Aisha Bello|Kevin O'Brien|Sofia Rossi|Daniel Kim|Zoë Brontë|"
        "Rachel Adler|Marcus Johnson|Ana Sousa|Lena Søndergaard|Ethan Nguyen|Fatima Haddad|"
        "Grace Liu|Owen Price|Beatriz Peña|Noah Schwartz|Olivia Bennett|Hiro Tanaka|"
        "Renée Lefèvre|Samuel Okafor|Emma Lindqvist|Luis Ramírez"
    ).split("|")
]
_UNKNOWN_DOMAINS = "gmail.com outlook.com yahoo.com icloud.com hotmail.com".split()
_AGENTS = ("Sam", "Alex", "Jordan")

# --- what they write ----------------------------------------------------------------------

_TIMES = ("8:00", "8:30", "9:00", "9:15", "10:00", "11:30", "2:00", "4:45")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "this morning", "yesterday")

_OUTAGE = (
    (
        "SMS reminders stopped working",
        "Our SMS reminders stopped working {day}. Patients aren't getting the {time} "
        "appointment texts and {n} of them already missed their visits.",
    ),
    (
        "URGENT - confirmation texts not going out",
        "None of our confirmation texts are going out. The last one in the log was sent "
        "{day} at {time}, since then nothing. Customers keep calling the front desk to ask "
        "whether their booking went through.",
    ),
    (
        "Two-way replies broken",
        "The two-way replies broke overnight: when a client answers C to confirm, nothing "
        "happens anymore and the calendar still shows them as unconfirmed.",
    ),
    (
        "missed-call text-back is down",
        "The missed-call text-back is down since {day}. {n} people who called us got no "
        "text back at all. This is costing us bookings, please look at it asap.",
    ),
    (
        "Reminders failing since {day}",
        "Hi, our reminder messages are failing since {day}. The dashboard shows them as "
        '"failed" with error 30007. Nothing changed on our side as far as we know.',
    ),
)
_ADJUSTMENT = (
    (
        "Wording of the welcome text",
        'Could you please change the wording of the welcome text to: "Welcome to {business}! '
        'Reply STOP to opt out or HELP for help." The current one still has our old name.',
    ),
    (
        "Typo in reminder message",
        'Small thing: there is a typo in the reminder message. It says "apointment" instead '
        'of "appointment". Can you fix that when you get a chance?',
    ),
    (
        "Update the hours in the after-hours reply",
        "We changed our opening hours. Could you update the hours in the after-hours "
        "auto-text? We now close at {hour} pm on weekdays and we are closed on Sundays.",
    ),
    (
        "Change the delay on the follow-up",
        "Can you change the delay on the follow-up text from 2 hours to {n} hours? People "
        "find it a bit pushy right now.",
    ),
    (
        "Tweak the greeting",
        "Please tweak the greeting in the confirmation message, it should start with "
        '"Hi {first}" instead of "Dear customer".',
    ),
)
_OUT_OF_SCOPE = (
    (
        "New feature: loyalty texts",
        "We want a new feature: a loyalty program that texts customers a coupon after their "
        "fifth visit. Could you build that for us? Happy to discuss the details on a call.",
    ),
    (
        "Moving to a new number",
        "We are moving to a new phone number next month because we are switching carriers. "
        "Can you migrate all the automations to the new number?",
    ),
    (
        "Rebuild booking flow for new software",
        "We switched our scheduling software to {software} and would like a significant "
        "change to the booking workflow so it works with the new system.",
    ),
    (
        "Build a referral campaign",
        "Could you build a brand new referral campaign for us? Every customer who refers a "
        "friend should get a text with a discount code.",
    ),
)
_NOT_COVERED = (
    (
        "WhatsApp setup?",
        "Can you set up WhatsApp for us as well? A lot of our customers in {place} prefer it "
        "over regular texts and keep asking for it.",
    ),
    (
        "Instagram DMs",
        "Would it be possible to add the same appointment reminders for Instagram DMs? "
        "Half of our new clients find us on Instagram.",
    ),
    (
        "WhatsApp Business connection",
        "We just got a WhatsApp Business account. Could you connect it so people can book "
        "through WhatsApp too?",
    ),
)
_GENERAL = (
    (
        "Question about last month's report",
        "Quick question: where can I see how many reminders went out last month? I need the "
        "number for our quarterly review.",
    ),
    (
        "Invoice for {month}",
        "Who should we contact about the invoice for {month}? Our bookkeeper has a question "
        "about the line items.",
    ),
    (
        "Export of opt-outs",
        "Thanks for the help last week. Is there a way to get a list of everyone who opted "
        "out? Our marketing person would like to compare it with the newsletter list.",
    ),
    (
        "New staff member",
        "We have a new office manager, {first2}, starting on {day2}. Should she get her own "
        "login, or can she use mine?",
    ),
)
CLASSES = {
    "outage": _OUTAGE,
    "adjustment": _ADJUSTMENT,
    "out_of_scope": _OUT_OF_SCOPE,
    "not_covered": _NOT_COVERED,
    "general": _GENERAL,
}
_CLASS_WEIGHTS = {
    "outage": 22,
    "adjustment": 28,
    "out_of_scope": 14,
    "not_covered": 10,
    "general": 26,
}

_GREETINGS = (
    "Hi,|Hello,|Hi there,|Good morning,|Hello Operant team,|Hey Sam,|Dear support,|"
).split("|")
_CLOSINGS = (
    "Thanks!|Thank you,|Best,|Thanks in advance,|Regards,|Cheers,|Best regards,|Many thanks,"
).split("|")
_EXTRAS = (
    "Let me know if you need anything from us.",
    "I can send screenshots if that helps.",
    "Our number is the main line, (201) 555-01{nn}.",
    "We're open until {hour} today if you want to call.",
    "",
    "",
)
_FOLLOW_UPS = (
    "Thanks, that did it!",
    "Any update on this? It is still happening.",
    "Still not working today, another {n} customers didn't get their reminder.",
    "Yes, please go ahead with the change.",
    "Attached is the screenshot you asked for.",
    "Sorry, one more thing: can the same change go to the Spanish version of the message?",
    "Perfect, thank you so much for the quick turnaround.",
    "We checked on our side and nothing changed in our account, so it must be something else.",
    "OK, understood. Can you send us the quote then?",
    "It worked for a day and now it stopped again.",
)
_AGENT_REPLIES = (
    "Thanks for letting us know. We are looking into it now and will update you by {time}.",
    "We have made the change; it is live from now on. Please let us know if anything looks off.",
    "Could you send us a screenshot of what you see, and roughly when it started?",
    "This falls outside the retainer, so we will send you a quote for it separately.",
    "We found the cause (an expired token on the provider's side) and fixed it. Messages are "
    "going out again.",
)
_OOO = (
    "I am out of the office until {date} with limited access to email. For anything urgent "
    "please call the front desk.",
    "Thank you for your email. I'm away on vacation and will reply when I'm back on {date}.",
)
# Non-ASCII lines people add; a Latin-1 message always carries one, so its bytes are Latin-1.
_ACCENTED = (
    "Merci et à bientôt !",
    "Gracias, ¡hasta pronto!",
    "Our office moved to 12 Rue Molière, 2nd floor.",
    "Prices for the Dublin branch are in € (and £ for Belfast).",
    "Sent from the café next door, sorry for any typos.",
    "Nuestro horario: lunes a viernes, 9\u201318 h.",
)
_MONTHS = ("January", "February", "March", "April")
_SOFTWARE = ("Jane App", "Mindbody", "Vagaro", "SimplePractice", "Square Appointments")

# Characters a mail client writes that ISO-8859-1 cannot carry, as a Latin-1 sender types them.
_TO_LATIN1 = str.maketrans(
    {"\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u2026": "..."}
)


@dataclass(frozen=True)
class ClientSpec:
    """A client to create before feeding the set: its name, package and contact addresses."""

    name: str
    package_key: str
    emails: tuple[str, ...]


@dataclass(frozen=True)
class Mail:
    """One generated message: the raw bytes, what it is, and when it arrives."""

    raw: bytes
    kind: str  # new, reply_in_reply_to, reply_subject_ref, auto_reply, redelivery
    fmt: str  # plain, alternative, html, mixed
    received_at: datetime
    message_id: str
    known_sender: bool


@dataclass(frozen=True)
class MailSet:
    mails: tuple[Mail, ...]
    clients: tuple[ClientSpec, ...]
    seed: int

    @property
    def raws(self) -> list[bytes]:
        return [m.raw for m in self.mails]

    def summary(self) -> dict[str, object]:
        """Counts a report can print to show what the set holds."""
        raws = self.raws
        return {
            "messages": len(self.mails),
            "distinct_message_ids": len({m.message_id for m in self.mails}),
            "kinds": dict(Counter(m.kind for m in self.mails)),
            "formats": dict(Counter(m.fmt for m in self.mails)),
            "unknown_sender": sum(not m.known_sender for m in self.mails),
            "latin1": sum(b"iso-8859-1" in r for r in raws),
            "rfc2047_headers": sum(b"=?utf-8?" in r.split(b"\r\n\r\n", 1)[0] for r in raws),
            "with_attachments": sum(b"Content-Disposition: attachment" in r for r in raws),
            "bytes_total": sum(len(r) for r in raws),
            "bytes_max": max((len(r) for r in raws), default=0),
            "clients": len(self.clients),
            "contacts": sum(len(c.emails) for c in self.clients),
        }


@dataclass
class _Sender:
    first: str
    last: str
    address: str
    business: str
    client: int | None  # index into the clients, None for an unknown sender

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


@dataclass
class _Thread:
    sender: _Sender
    subject: str
    ordinal: int  # guessed ticket number (see the module docstring)
    message_ids: list[str] = field(default_factory=list)
    history: str = ""  # the text a reply quotes: the last message of the thread as sent to them
    last_at: datetime = DEFAULT_START


def _slug(text: str) -> str:
    return "".join(c for c in text.lower() if c.isascii() and c.isalnum())


def _ascii(text: str) -> str:
    """An address-safe spelling of a name: "Müller" → "muller"."""
    table = str.maketrans("áàâäãåçéèêëíìîïñóòôöõøúùûüýÿæœß", "aaaaaaceeeeiiiinoooooouuuuyyaes")
    return _slug(text.lower().translate(table))


class _Writer:
    """Builds the set; one instance per ``generate`` call, all randomness from one seeded RNG."""

    def __init__(self, count: int, seed: int, start: datetime) -> None:
        self.rng = random.Random(seed)
        self.count = count
        self.now = start
        self.clients: list[ClientSpec] = []
        self.senders: list[_Sender] = []
        self.unknown: list[_Sender] = []
        self.threads: list[_Thread] = []
        self.mails: list[Mail] = []
        self.thread_starts = 0
        self._make_clients()

    # -- people --------------------------------------------------------------------------

    def _make_clients(self) -> None:
        rng = self.rng
        used: set[str] = set()
        for index in range(CLIENT_COUNT):
            while True:
                business = f"{rng.choice(_PLACES)} {rng.choice(_BUSINESS_KINDS)}"
                if business not in used:
                    used.add(business)
                    break
            domain = _slug(business) + rng.choice((".com", ".net", ".co", ".nyc"))
            # One contact for most clients, two for some: about 65 contact addresses in all.
            contacts = []
            for _ in range(2 if rng.random() < 0.3 else 1):
                first, last = rng.choice(_PEOPLE)
                local = rng.choice(
                    (f"{_ascii(first)}", f"{_ascii(first)}.{_ascii(last)}", "office", "frontdesk")
                )
                address = f"{local}@{domain}"
                if any(s.address == address for s in contacts):
                    address = f"{_ascii(first)}{len(contacts) + 1}@{domain}"
                contacts.append(_Sender(first, last, address, business, index))
            self.senders.extend(contacts)
            self.clients.append(
                ClientSpec(
                    name=business,
                    package_key=PACKAGES[index % len(PACKAGES)],
                    emails=tuple(s.address for s in contacts),
                )
            )

    def _unknown_sender(self) -> _Sender:
        rng = self.rng
        if self.unknown and rng.random() < 0.3:
            return rng.choice(self.unknown)  # an unknown sender writing again
        first, last = rng.choice(_PEOPLE)
        address = f"{_ascii(first)}.{_ascii(last)}{rng.randrange(10, 999)}@" + rng.choice(
            _UNKNOWN_DOMAINS
        )
        sender = _Sender(first, last, address, f"{rng.choice(_PLACES)} customer", None)
        self.unknown.append(sender)
        return sender

    # -- texts ---------------------------------------------------------------------------

    def _fill(self, template: str, sender: _Sender) -> str:
        rng = self.rng
        return template.format(
            day=rng.choice(_DAYS),
            day2=rng.choice(_DAYS[:5]),
            time=rng.choice(_TIMES),
            n=rng.randrange(2, 15),
            nn=f"{rng.randrange(100):02d}",
            hour=rng.choice((5, 6, 7, 8)),
            business=sender.business,
            first=sender.first,
            first2=rng.choice(_PEOPLE)[0],
            place=rng.choice(_PLACES),
            month=rng.choice(_MONTHS),
            software=rng.choice(_SOFTWARE),
            date=f"{rng.choice(_MONTHS)} {rng.randrange(1, 28)}",
        )

    def _signature(self, sender: _Sender) -> str:
        rng = self.rng
        lines = [sender.name]
        if rng.random() < 0.7:
            lines.append(rng.choice(("Office Manager", "Owner", "Front Desk", "Practice Lead")))
        lines.append(sender.business)
        if rng.random() < 0.5:
            lines.append(f"(201) 555-{rng.randrange(1000, 9999)}")
        separator = "-- \n" if rng.random() < 0.5 else ""
        return separator + "\n".join(lines)

    def _compose(self, body: str, sender: _Sender) -> str:
        rng = self.rng
        parts = []
        greeting = rng.choice(_GREETINGS)
        if greeting:
            parts.append(greeting)
        if self.rng.random() < 0.2:
            body += " " + self.rng.choice(_ACCENTED)
        parts.append(body)
        extra = self._fill(rng.choice(_EXTRAS), sender)
        if extra:
            parts.append(extra)
        parts.append(f"{rng.choice(_CLOSINGS)}\n{self._signature(sender)}")
        return "\n\n".join(parts)

    def _agent_text(self, thread: _Thread) -> str:
        agent = self.rng.choice(_AGENTS)
        reply = self._fill(self.rng.choice(_AGENT_REPLIES), thread.sender)
        return f"Hi {thread.sender.first},\n\n{reply}\n\nBest,\n{agent}\nOperant Support"

    # -- messages ------------------------------------------------------------------------

    def _message_id(self, sender: _Sender) -> str:
        domain = sender.address.rpartition("@")[2]
        token = f"{self.rng.getrandbits(64):016x}"
        return f"<{token}.{len(self.mails)}@mail.{domain}>"

    def _headers(self, msg: EmailMessage, sender: _Sender, subject: str, message_id: str) -> None:
        rng = self.rng
        local, _, domain = sender.address.partition("@")
        with_name = rng.random() < 0.85
        msg["From"] = Address(sender.name if with_name else "", local, domain)
        msg["To"] = SUPPORT
        if rng.random() < 0.08:
            msg["Cc"] = Address("Front Desk", "frontdesk", domain)
        msg["Subject"] = subject
        sent = self.now - timedelta(seconds=rng.randrange(2, 90))
        msg["Date"] = format_datetime(sent.astimezone(NEW_YORK_WINTER))
        msg["Message-ID"] = message_id
        msg["MIME-Version"] = "1.0"
        msg["X-Mailer"] = rng.choice(
            ("Apple Mail (2.3774)", "Microsoft Outlook 16.0", "Gmail", "Thunderbird 128.3")
        )

    def _body(
        self,
        msg: EmailMessage,
        text: str,
        *,
        fmt: str,
        latin1: bool,
        quoted_html: str | None = None,
    ) -> None:
        rng = self.rng
        charset = "iso-8859-1" if latin1 else "utf-8"
        wide_cte = (
            "quoted-printable" if latin1 else rng.choice(("8bit", "quoted-printable", "base64"))
        )
        if latin1 and text.isascii():
            text = f"{text}\n\n{rng.choice(_ACCENTED)}"
        html = _html(text, quoted_html, charset)
        if latin1:
            text, html = _latin1(text), _latin1(html)

        def cte(part: str) -> str:
            return "7bit" if part.isascii() else wide_cte

        if fmt == "html":
            msg.set_content(html, subtype="html", charset=charset, cte=cte(html))
            return
        msg.set_content(text, charset=charset, cte=cte(text))
        if fmt in ("alternative", "mixed") and (fmt == "alternative" or rng.random() < 0.6):
            msg.add_alternative(html, subtype="html", charset=charset, cte=cte(html))
        if fmt == "mixed":
            for _ in range(rng.choice((1, 1, 1, 2))):
                self._attach(msg)

    def _attach(self, msg: EmailMessage) -> None:
        rng = self.rng
        size = rng.randrange(800, 6000)
        choice = rng.randrange(4)
        if choice == 0:
            data = b"\x89PNG\r\n\x1a\n" + rng.randbytes(size)
            msg.add_attachment(data, "image", "png", filename=f"screenshot-{rng.randrange(99)}.png")
        elif choice == 1:
            rows = ["date,phone,status,error"]
            while sum(len(r) + 1 for r in rows) < size:
                rows.append(
                    f"2026-02-{rng.randrange(1, 28):02d},+1201555{rng.randrange(10**4):04d},"
                    f"{rng.choice(('delivered', 'failed', 'undelivered'))},"
                    f"{rng.choice(('', '30007', '30003', '21610'))}"
                )
            msg.add_attachment("\n".join(rows) + "\n", subtype="csv", filename="message-log.csv")
        elif choice == 2:
            data = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + rng.randbytes(size) + b"\n%%EOF\n"
            msg.add_attachment(data, "application", "pdf", filename="invoice-question.pdf")
        else:
            text = "Übersicht der Öffnungszeiten\nMo\u2013Fr 8\u201318 Uhr\nSa 9\u201313 Uhr\n" * (
                size // 60
            )
            msg.add_attachment(text, filename="Öffnungszeiten.txt")  # RFC 2231 filename

    def _emit(
        self,
        msg: EmailMessage,
        *,
        kind: str,
        fmt: str,
        message_id: str,
        sender: _Sender,
    ) -> None:
        raw = msg.as_bytes(policy=policy.SMTP)
        self.mails.append(
            Mail(
                raw=raw,
                kind=kind,
                fmt=fmt,
                received_at=self.now,
                message_id=message_id,
                known_sender=sender.client is not None,
            )
        )

    def _pick_format(self) -> str:
        return self.rng.choices(("plain", "alternative", "html", "mixed"), (45, 30, 8, 17))[0]

    def new_request(self) -> None:
        rng = self.rng
        sender = self._unknown_sender() if rng.random() < 0.08 else rng.choice(self.senders)
        request_class = rng.choices(list(_CLASS_WEIGHTS), list(_CLASS_WEIGHTS.values()))[0]
        subject_template, body_template = rng.choice(CLASSES[request_class])
        subject = self._fill(subject_template, sender)
        if rng.random() < 0.06:
            subject = rng.choice(("Réservation", "Öffnungszeiten", "Pregunta rápida", "Café"))
            subject += " \u2013 " + self._fill(subject_template, sender)
        text = self._compose(self._fill(body_template, sender), sender)
        fmt = self._pick_format()
        message_id = self._message_id(sender)
        msg = EmailMessage()
        self._headers(msg, sender, subject, message_id)
        self._body(msg, text, fmt=fmt, latin1=rng.random() < 0.12)
        self._emit(msg, kind="new", fmt=fmt, message_id=message_id, sender=sender)
        self.thread_starts += 1
        thread = _Thread(sender, subject, self.thread_starts, [message_id], last_at=self.now)
        thread.history = (
            self._agent_text(thread)
            + "\n\n"
            + _quote_block(text, sender, self.now - timedelta(minutes=rng.randrange(5, 600)))
        )
        self.threads.append(thread)

    def _recent_thread(self) -> _Thread:
        # Replies go mostly to recent threads; some to older ones.
        window = self.threads[-150:] if self.rng.random() < 0.85 else self.threads
        return self.rng.choice(window)

    def reply(self) -> None:
        rng = self.rng
        thread = self._recent_thread()
        sender = thread.sender
        by_subject_only = rng.random() < 0.15
        subject = f"Re: [OPR-{thread.ordinal}] {thread.subject}"
        if not by_subject_only and rng.random() < 0.7:
            subject = f"{rng.choice(('Re:', 'RE:', 'Re:', 'AW:'))} {thread.subject}"
        new_text = self._fill(rng.choice(_FOLLOW_UPS), sender)
        if rng.random() < 0.5:
            new_text = self._compose(new_text, sender)
        else:
            new_text += f"\n\n{sender.first}"
        style = rng.choice(("on_wrote", "on_wrote", "outlook", "html"))
        quoted_at = thread.last_at + timedelta(minutes=rng.randrange(10, 300))
        agent = Address("Operant Support", "support", "operantco.com")
        if style == "outlook":
            text = (
                f"{new_text}\n\n-----Original Message-----\nFrom: {agent}\n"
                f"Sent: {format_datetime(quoted_at)}\nTo: {sender.address}\n"
                f"Subject: [OPR-{thread.ordinal}] {thread.subject}\n\n{thread.history}"
            )
        else:
            text = f"{new_text}\n\n" + _quote_block(thread.history, agent, quoted_at)
        text = text[: len(new_text) + MAX_QUOTED_CHARS]
        fmt = "alternative" if style == "html" else rng.choices(("plain", "mixed"), (85, 15))[0]
        message_id = self._message_id(sender)
        msg = EmailMessage()
        self._headers(msg, sender, subject, message_id)
        if not by_subject_only:
            parent = thread.message_ids[-1]
            msg["In-Reply-To"] = parent
            msg["References"] = " ".join(thread.message_ids[-8:])
        quoted_html = thread.history if style == "html" else None
        body_text = new_text if style == "html" else text
        self._body(msg, body_text, fmt=fmt, latin1=rng.random() < 0.08, quoted_html=quoted_html)
        kind = "reply_subject_ref" if by_subject_only else "reply_in_reply_to"
        self._emit(msg, kind=kind, fmt=fmt, message_id=message_id, sender=sender)
        thread.message_ids.append(message_id)
        thread.history = (
            self._agent_text(thread)
            + "\n\n"
            + _quote_block(text, sender, self.now)[:MAX_QUOTED_CHARS]
        )
        thread.last_at = self.now

    def auto_reply(self) -> None:
        rng = self.rng
        thread = self._recent_thread()
        sender = thread.sender
        subject = f"Automatic reply: [OPR-{thread.ordinal}] {thread.subject}"
        message_id = self._message_id(sender)
        msg = EmailMessage()
        self._headers(msg, sender, subject, message_id)
        msg["Auto-Submitted"] = "auto-replied"
        if rng.random() < 0.5:
            msg["X-Auto-Response-Suppress"] = "All"
        else:
            msg["X-Autoreply"] = "yes"
        self._body(msg, self._fill(rng.choice(_OOO), sender), fmt="plain", latin1=False)
        self._emit(msg, kind="auto_reply", fmt="plain", message_id=message_id, sender=sender)

    def redelivery(self) -> None:
        earlier = self.rng.choice(self.mails)
        self.mails.append(
            Mail(
                raw=earlier.raw,
                kind="redelivery",
                fmt=earlier.fmt,
                received_at=self.now,
                message_id=earlier.message_id,
                known_sender=earlier.known_sender,
            )
        )

    def run(self) -> MailSet:
        rng = self.rng
        for _ in range(self.count):
            self.now += timedelta(seconds=rng.randrange(30, 420))
            roll = rng.random()
            if len(self.threads) < 20 or roll < 0.52:
                self.new_request()
            elif roll < 0.91:
                self.reply()
            elif roll < 0.99:
                self.auto_reply()
            else:
                self.redelivery()
        return MailSet(mails=tuple(self.mails), clients=tuple(self.clients), seed=0)


def _quote_block(text: str, author: Address | _Sender, at: datetime) -> str:
    """``text`` as a reply quotes it: an attribution line, then every line behind ``>``."""
    name = author.display_name if isinstance(author, Address) else author.name
    address = author.addr_spec if isinstance(author, Address) else author.address
    when = at.astimezone(NEW_YORK_WINTER).strftime("%a, %b %-d, %Y at %-I:%M %p")
    lines = "\n".join(("> " + line) if line else ">" for line in text.splitlines())
    return f"On {when}, {name} <{address}> wrote:\n{lines}"


def _latin1(text: str) -> str:
    return text.translate(_TO_LATIN1).encode("latin-1", "replace").decode("latin-1")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _html(text: str, quoted: str | None, charset: str) -> str:
    """An HTML rendering like a mail client's: paragraphs, a signature div, a blockquote."""
    paragraphs = "".join(
        "<p>" + _escape(p).replace("\n", "<br>\n") + "</p>\n" for p in text.split("\n\n") if p
    )
    tail = ""
    if quoted is not None:
        inner = "".join(
            "<p>" + _escape(p).replace("\n", "<br>\n") + "</p>\n" for p in quoted.split("\n\n") if p
        )
        tail = (
            '<div class="gmail_quote"><div>Operant Support &lt;support@operantco.com&gt; '
            'wrote:</div>\n<blockquote type="cite" style="margin:0 0 0 .8ex;'
            f'border-left:1px #ccc solid;padding-left:1ex">\n{inner}</blockquote></div>\n'
        )
    return (
        f'<html><head><meta charset="{charset}"><style>p{{margin:0 0 1em}}</style></head>\n'
        f'<body><div dir="ltr" style="font-family:Arial,sans-serif">\n{paragraphs}</div>\n'
        f"{tail}</body></html>\n"
    )


def generate(
    count: int = DEFAULT_COUNT, seed: int = DEFAULT_SEED, start: datetime = DEFAULT_START
) -> MailSet:
    """``count`` messages, the same for the same arguments."""
    mailset = _Writer(count, seed, start).run()
    return MailSet(mails=mailset.mails, clients=mailset.clients, seed=seed)


if __name__ == "__main__":
    import json
    import sys

    size = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_COUNT
    print(json.dumps(generate(size).summary(), indent=2))
