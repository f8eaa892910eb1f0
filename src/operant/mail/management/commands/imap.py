"""`operant imap [--once]`: read the support mailbox (OPERANT_IMAP_* settings)."""

from __future__ import annotations

import signal
from typing import Any

from operant.core.command import OperantCommand
from operant.core.errors import UserError
from operant.core.security import require_secret_key
from operant.mail.channels.imap import BATCH_MESSAGES, ImapPoller, imap_config
from operant.mail.parsepool import ParsePool
from operant.mail.warmup import pipeline_warm_up


class Command(OperantCommand):
    # A long-running process refuses to start on a broken policy file or settings.
    requires_system_checks = "__all__"
    help = "Fetch support mail by IMAP: IDLE where the server offers it, else poll."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--once", action="store_true", help="one pass over the mailbox, then exit"
        )
        parser.add_argument(
            "--batch",
            type=int,
            default=BATCH_MESSAGES,
            help=f"messages per FETCH (default {BATCH_MESSAGES})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        require_secret_key()
        if options["batch"] < 1:
            raise UserError("--batch must be at least 1")
        config = imap_config()
        pipeline_warm_up()  # before the first mail, not during it
        with ParsePool() as pool:
            pool.warm()  # the workers start now, not when the first batch waits for them
            poller = ImapPoller(config, batch=options["batch"], pool=pool)
            if options["once"]:
                self.stdout.write(f"imap: {poller.run_once()}")
                return
            # SIGTERM finishes the batch in hand (its messages are stored and acknowledged).
            signal.signal(signal.SIGTERM, lambda *_: poller.stop.set())
            signal.signal(signal.SIGINT, lambda *_: poller.stop.set())
            self.stdout.write(f"imap: reading {config.user} at {config.host}:{config.port}")
            poller.run()
