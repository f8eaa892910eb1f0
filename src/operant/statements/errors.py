from operant.core.errors import UserError


class StatementError(UserError):
    """A statement that cannot be built as asked (a month not over yet)."""
