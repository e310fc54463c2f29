"""Records named by a form or a query string (``?customer_id=``), looked up for a page: what the reader may
see, or nothing — a foreign, unknown, hidden or malformed id shows no record, never an error page."""
from __future__ import annotations

from core.customers import service as customers
from core.errors import NotFound

MAX_ID = 2**63 - 1


def as_id(raw) -> int | None:
    """A record id from user input: digits within the database's range, else None."""
    text = str(raw or "").strip()
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= MAX_ID:  # "²".isdigit() is true
        return None
    return int(text)


def visible_customer(raw):
    """The customer ``raw`` names, if the reader may see it (CUS-70, as the API); else None."""
    customer_id = as_id(raw)
    if customer_id is None:
        return None
    try:
        return customers.get_customer(customer_id)
    except NotFound:
        return None
