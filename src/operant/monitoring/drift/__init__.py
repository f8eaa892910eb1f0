"""Configuration drift (clause 02): a workflow's live Twilio configuration against the registry.

- ``live``: reads what is live now, with the official client and the client's stored (encrypted)
  credentials: each Studio flow's revision and definition, each number's webhooks.
- ``compare``: what differs from the registry's current version, each difference with the
  clause 02 evidence that names it.
- ``services``: the scheduled check (drift events, signals, the operator's alert, failures
  recorded and retried) and accepting the live configuration as a new version.
- ``queries``: a workflow's drifts for its page, and the evidence the desk's classifier weighs.
"""
