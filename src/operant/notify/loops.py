"""The mark on every email the desk sends, so that one coming back is known as our own."""

# Set on every message the outbox sends; the inbound pipeline ignores mail that carries it.
LOOP_HEADER = "X-Operant-Loop"
