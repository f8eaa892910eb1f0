"""`operant time log`: log time on a ticket from the command line.

    operant time log --ticket OPR-12 --minutes 20 --kind adjustment [--date 2026-12-01]
        [--note TEXT] [--agent EMAIL] [--quote Q-3] [--json]

Prints the entry and what the client has left this month, or exits 1 with one line saying why
the entry was refused (an overdraft among the reasons, with the minutes that remain).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from operant.accounts.models import User
from operant.allowance.models import EntryKind
from operant.allowance.serialize import entry_json
from operant.allowance.services import allowance_balance, quote_for_time, time_log
from operant.core.command import OperantCommand
from operant.core.errors import UserError
from operant.desk.serialize import TicketNotFound, ticket_by_ref


def _whole_minutes(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise UserError(f"--minutes must be a whole number of minutes, got {text!r}") from None


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"--date must be a date like 2026-12-01, got {text!r}") from None


def _agent(email: str | None) -> Any:
    """The agent named, or the only (else the first) admin when none is named."""
    if email:
        user = User.objects.get_by_email(email)
        if user is None:
            raise UserError(f"no user {email}")
        if not user.is_agent:
            raise UserError(f"{email} is not Operant staff; only staff log time")
        return user
    admin = User.objects.filter(role=User.Role.ADMIN, is_active=True).order_by("pk").first()
    if admin is None:
        raise UserError("no admin user to log time as; name the agent with --agent EMAIL")
    return admin


class Command(OperantCommand):
    help = "Log time on tickets."

    def add_arguments(self, parser: Any) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        log = actions.add_parser("log", help="log time on a ticket")
        log.add_argument("--ticket", required=True, help="ticket reference, e.g. OPR-1234")
        # Read as text and checked here, so a typo gets the command's one-line error.
        log.add_argument("--minutes", required=True, help="whole minutes, 1 to 600")
        log.add_argument("--kind", required=True, help=" | ".join(EntryKind.values))
        log.add_argument("--date", help="the day of the work, YYYY-MM-DD (default: today)")
        log.add_argument("--note", default="", help="what was done")
        log.add_argument("--agent", help="the agent's email (default: the first admin)")
        log.add_argument("--quote", help="the accepted quote of quoted time, e.g. Q-12")
        log.add_argument("--json", action="store_true", help="print the entry as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        minutes = _whole_minutes(options["minutes"])
        work_date = _date(options["date"])
        try:
            ticket = ticket_by_ref(options["ticket"])
        except TicketNotFound as exc:
            raise UserError(str(exc)) from exc
        entry = time_log(
            ticket=ticket,
            agent=_agent(options["agent"]),
            minutes=minutes,
            kind=options["kind"].strip(),
            work_date=work_date,
            note=options["note"],
            quote=quote_for_time(options["quote"]) if options["quote"] else None,
            now=now,
        )
        balance = allowance_balance(client=entry.client, month=entry.month)
        if options["json"]:
            self.print_json({**entry_json(entry), "allowance": balance.as_dict()})
            return
        self.stdout.write(
            f"logged {entry.minutes} min {entry.kind} on {ticket.ref} "
            f"({entry.work_date:%Y-%m-%d}, {entry.agent.email}); "
            f"{entry.client.slug} has {balance.remaining_minutes} of "
            f"{balance.allowance_minutes} allowance minutes left for {entry.month:%Y-%m}"
        )
