"""What a logged (or confirmed) contact does to visits and promises: the due visits it fulfils are
done (CUS-61) and the reply / next-visit commitments it keeps are fulfilled (CUS-63). The contact
log calls :func:`on_contact` after writing an entry; the daily and 5-minute jobs catch anything
logged another way."""
from __future__ import annotations

from core.customers.models import ContactLogEntry
from core.customers.visits import commitments, due_visits


def on_contact(entry: ContactLogEntry) -> dict:
    return {"visits_done": due_visits.on_contact(entry), "commitments_kept": commitments.on_contact(entry)}
