"""Exception types shared by every app.

A ``UserError`` is the user's to fix (bad input, bad file, unknown name): the CLI prints its
message as one line, the web shows it as a form error, the API answers 4xx. Anything else is
ours: logged with its traceback, shown to the user as one line.
"""


class UserError(Exception):
    """Bad input from a person or a file. The message is shown as is, so make it say what to fix."""
