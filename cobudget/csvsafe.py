"""CSV cells that a spreadsheet will not run: text starting with =, +, -, @, a tab or a
carriage return is prefixed with an apostrophe (the usual defence against formula injection)."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text) -> str:
    text = "" if text is None else str(text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class Echo:
    """A file-like object whose write() returns what it is given: csv.writer for streaming."""

    def write(self, value):
        return value
