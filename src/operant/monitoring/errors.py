from operant.core.errors import UserError


class MonitoringError(UserError):
    """A registry or monitoring action that cannot be done as asked."""
