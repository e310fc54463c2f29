"""Records that keep an attachment as their evidence: an attachment one of them names cannot be deleted
(409), so that the photo of a signed feedback form (SVC-12), the scan of a customer original in custody
(SVC-16), a post-completion document (SVC-23) or a checklist photo (SVC-31) never vanishes from under
the record. :data:`REFERENCES` lists them, one line each: a label and the column that names the
attachment."""
from __future__ import annotations

from sqlalchemy import select

from core.db import db


def _references():
    from core.service.checklists_models import ChecklistItem
    from core.service.field_models import WorkOrderFeedback
    from core.service.records_watch_models import ServiceDocument, ServicePostDoc

    return [
        ("signed feedback form (SVC-12)", WorkOrderFeedback.photo_attachment_id),
        ("customer original in custody (SVC-16)", ServiceDocument.attachment_id),
        ("post-completion document (SVC-23)", ServicePostDoc.attachment_id),
        ("inspection checklist item (SVC-31)", ChecklistItem.photo_attachment_id),
    ]


def kept_by(attachment_id: int) -> list[str]:
    """The kinds of record that keep ``attachment_id`` as evidence (empty: it may be deleted)."""
    return [label for label, column in _references()
            if db.session.scalar(select(column).where(column == attachment_id).limit(1)) is not None]
