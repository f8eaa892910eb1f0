"""The demo agency: a dozen believable retainer clients and Operant's own staff.

Every address is under a reserved domain (``.example``, RFC 2606; ``operant.test`` for staff) and
every phone number is in a range set aside for fiction, so a demo desk wired to a real mail
server or Twilio account can never reach a real business.
"""

from __future__ import annotations

from dataclasses import dataclass

DEMO_PASSWORD = "operant-demo"
LOGIN_URL = "http://127.0.0.1:8000/login"


@dataclass(frozen=True)
class DemoContact:
    email: str
    name: str
    phone: str = ""
    is_billing: bool = False
    portal: bool = False  # gets a portal login with the demo password


@dataclass(frozen=True)
class DemoClient:
    name: str
    package: str
    timezone: str
    contacts: tuple[DemoContact, ...]
    domains: tuple[str, ...] = ()
    standing: str = "current"
    notes: str = ""


STAFF: list[tuple[str, str, str]] = [
    ("agent@operant.test", "Avery Agent", "agent"),
    ("operator@operant.test", "Olive Operator", "operator"),
    ("admin@operant.test", "Adrian Admin", "admin"),
]

C = DemoContact

CLIENTS: list[DemoClient] = [
    DemoClient(
        name="Brightsmile Dental Clinic",
        package="growth",
        timezone="America/New_York",
        domains=("brightsmile-dental.example",),
        contacts=(
            C("maria@brightsmile-dental.example", "Maria Lopez", "+1 212 555 0134", True, True),
            C("dr.chen@brightsmile-dental.example", "Dr. Kevin Chen", "+1 212 555 0178"),
        ),
        notes="Appointment reminders and missed-call text-back for two chairs.",
    ),
    DemoClient(
        name="Harbor & Pine Realty Team",
        package="omnichannel",
        timezone="America/Los_Angeles",
        domains=("harborpine-realty.example",),
        contacts=(
            C("jess@harborpine-realty.example", "Jess Harbor", "+1 415 555 0110", True),
            C("leads@harborpine-realty.example", "Lead desk"),
            C("sam@harborpine-realty.example", "Sam Pine", "+1 415 555 0162"),
        ),
        notes="Instagram DM lead capture feeding the showing-request SMS flow.",
    ),
    DemoClient(
        name="Ironworks Fitness",
        package="starter",
        timezone="America/Chicago",
        domains=("ironworks-fitness.example",),
        contacts=(C("tom@ironworks-fitness.example", "Tom Becker", "+1 312 555 0147", True, True),),
        notes="Class waitlist texts.",
    ),
    DemoClient(
        name="Saffron Table Restaurant Group",
        package="omnichannel",
        timezone="America/New_York",
        domains=("saffrontable.example", "reservations.saffrontable.example"),
        contacts=(
            C("priya@saffrontable.example", "Priya Nair", "+1 646 555 0191"),
            C("accounts@saffrontable.example", "Accounts payable", is_billing=True),
        ),
        notes="Three locations; reservation confirmations by SMS and Instagram.",
    ),
    DemoClient(
        name="Luxe Loft Salon",
        package="starter",
        timezone="America/Denver",
        domains=("luxeloft-salon.example",),
        contacts=(C("hello@luxeloft-salon.example", "Dana Wright", "+1 303 555 0123", True),),
        standing="past_due",
        notes="February invoice unpaid; reminder sent.",
    ),
    DemoClient(
        name="Comfort Air HVAC",
        package="growth",
        timezone="America/Phoenix",
        domains=("comfortair-hvac.example",),
        contacts=(
            C("dispatch@comfortair-hvac.example", "Ray Ortiz", "+1 602 555 0155", True),
            C("office@comfortair-hvac.example", "Linda Ortiz"),
        ),
        notes="After-hours emergency call routing to the on-call technician.",
    ),
    DemoClient(
        name="Whitaker & Moss Law Office",
        package="growth",
        timezone="America/New_York",
        domains=("whitakermoss-law.example",),
        contacts=(C("office@whitakermoss-law.example", "Grace Whitaker", "+1 617 555 0102", True),),
        standing="suspended",
        notes="Suspended for a past-due balance (clause 06).",
    ),
    DemoClient(
        name="Fernleaf Botanicals",
        package="omnichannel",
        timezone="Europe/London",
        domains=("fernleaf-botanicals.example",),
        contacts=(
            C("olivia@fernleaf-botanicals.example", "Olivia Hart", "+44 7700 900123", True),
            C("shop@fernleaf-botanicals.example", "Online shop team"),
        ),
        notes="E-commerce shop: order updates by SMS, Instagram DM customer service.",
    ),
    DemoClient(
        name="Bondi Paws Veterinary",
        package="growth",
        timezone="Australia/Sydney",
        domains=("bondipaws-vet.example",),
        contacts=(C("reception@bondipaws-vet.example", "Mia Collins", "+61 491 570 156", True),),
        notes="Vaccination reminders; after-hours voice menu.",
    ),
    DemoClient(
        name="Summit Peak Roofing",
        package="starter",
        timezone="America/Denver",
        contacts=(
            C("estimates@summitpeak-roofing.example", "Cody Marsh", "+1 720 555 0188", True),
        ),
        notes="Estimate follow-up texts.",
    ),
    DemoClient(
        name="Keystone Auto Repair",
        package="starter",
        timezone="America/Chicago",
        # A free-mail address: no sender domain, so only this exact address is recognised.
        contacts=(C("keystoneauto@mail.example", "Frank Russo", "+1 816 555 0119", True),),
        notes="Vehicle-ready SMS notifications.",
    ),
    DemoClient(
        name="Pacific Wave Surf School",
        package="omnichannel",
        timezone="Pacific/Honolulu",
        domains=("pacificwave-surf.example",),
        contacts=(
            C("kai@pacificwave-surf.example", "Kai Akana", "+1 808 555 0140", True),
            C("bookings@pacificwave-surf.example", "Bookings"),
        ),
        notes="Lesson bookings through Instagram DMs; weather cancellations by SMS.",
    ),
]
