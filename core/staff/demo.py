"""Sample data of the staff module for a demo tenant (``make run``), made through the module's own
service functions so that every record has its decisions and history. Idempotent."""
from __future__ import annotations


def provision() -> None:
    """Add the demo tenant's staff data (nothing yet: filled in with the portal's staff pages)."""
