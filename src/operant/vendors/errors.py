from operant.core.errors import UserError


class VendorsError(UserError):
    """Bad input to the vendors app (an unknown vendor, integration, kind or URL)."""
