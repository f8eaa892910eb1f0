"""Demo data for a desk to click around in (`operant demo`).

An app of its own above the mail pipeline: the demo's support requests are fed through it, so
they are classified, clocked and acknowledged for real. Clients and logins are seeded by the
accounts app's own ``accounts.demo``.
"""
