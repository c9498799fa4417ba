"""Opaque offset cursors and bounds on page sizes."""

from __future__ import annotations

import base64
import binascii

from scholargraph.errors import BadUserInput

MAX_FIRST = 1_000
# No listing here comes near this; past it an offset is forged, and the stores' 64-bit SKIP
# would overflow (a cursor for 2**63 - 1 once returned the first page).
MAX_OFFSET = 10_000_000
# The longest cursor this API issues is base64 of "sg:", MAX_OFFSET's digits and a tag.
_MAX_CURSOR_LENGTH = 32
_PREFIX = "sg:"
_TAG = "~"


def encode_cursor(offset: int, tag: str = "") -> str:
    """`tag` names what the offset counts in (a filter's fingerprint); "" for a plain list."""
    suffix = f"{_TAG}{tag}" if tag else ""
    return base64.urlsafe_b64encode(f"{_PREFIX}{offset}{suffix}".encode()).decode()


def decode_cursor(cursor: str | None, tag: str = "") -> int:
    """The offset just after `cursor` (0 when none); the cursor must carry the same `tag`."""
    if cursor is None:
        return 0
    try:
        if len(cursor) > _MAX_CURSOR_LENGTH:
            raise ValueError(cursor[:_MAX_CURSOR_LENGTH])
        raw = base64.urlsafe_b64decode(cursor.encode()).decode()
        if not raw.startswith(_PREFIX):
            raise ValueError(raw)
        digits, _, issued_for = raw[len(_PREFIX) :].partition(_TAG)
        offset = int(digits)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadUserInput(
            "`after` is not a cursor this API issued; pass an `endCursor` or `cursor` value "
            "from a previous page, or omit it to start at the beginning",
            argument="after",
        ) from None
    if offset < 0:
        raise BadUserInput("`after` is not a valid cursor", argument="after")
    if issued_for != tag:
        # An offset into one filtered list means nothing in another.
        raise BadUserInput(
            "`after` is a cursor of the same list with another `filter`; cursors stay valid "
            "only with the filter they were issued for: start again without `after`",
            argument="after",
        )
    if offset >= MAX_OFFSET:
        raise BadUserInput(
            f"`after` points past offset {MAX_OFFSET:,}, beyond any listing here; pass a "
            "cursor from a previous page",
            argument="after",
        )
    return offset + 1


def given(value: int | None, default: int) -> int:
    """An argument's value, or its default when the client sent an explicit null."""
    return default if value is None else value


def check_first(first: int, argument: str = "first", maximum: int = MAX_FIRST) -> int:
    if first < 0 or first > maximum:
        raise BadUserInput(
            f"`{argument}` must be between 0 and {maximum}; got {first}", argument=argument
        )
    return first


__all__ = ["MAX_FIRST", "MAX_OFFSET", "check_first", "decode_cursor", "encode_cursor", "given"]
