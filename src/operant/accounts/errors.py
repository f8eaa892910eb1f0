"""What can go wrong when a person asks the accounts services for something.

Each is a ``UserError``: the CLI prints the message as one line, the web shows it on the form.
"""

from operant.core.errors import UserError


class AccountsError(UserError):
    """Base for bad input to the accounts services."""


class InvalidName(AccountsError):
    pass


class UnknownPackage(AccountsError):
    pass


class InvalidTimezone(AccountsError):
    pass


class InvalidEmail(AccountsError):
    pass


class DuplicateEmail(AccountsError):
    pass


class InvalidDomain(AccountsError):
    pass


class DuplicateDomain(AccountsError):
    pass


class InvalidRole(AccountsError):
    pass


class InvalidPassword(AccountsError):
    pass


class AlreadyInvited(AccountsError):
    pass
