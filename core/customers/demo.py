"""Sample data of the customers module for a demo tenant (``make run``), made through the module's own
service functions so that every record has its decisions and history. Idempotent."""
from __future__ import annotations


def provision() -> None:
    """Add the demo tenant's customers data (nothing yet: filled in with the portal's customers pages)."""
