"""The one domain error type. Services raise it; the API and pages turn it into words."""


class DomainError(Exception):
    """A rule of the domain refused the operation. `code` is a stable machine word.

    status 409 (refused by a rule) unless the input itself is bad (400), the actor may not
    do it (403) or the thing does not exist for them (404).
    """

    def __init__(self, code: str, detail, *, status: int = 409, field: str | None = None):
        super().__init__(str(detail))
        self.code = code
        self.detail = detail
        self.status = status
        self.field = field

    def __str__(self) -> str:
        return str(self.detail)
