"""One way for the plugin's pages to run a step of a form: act, commit, or refuse with nothing written."""
from __future__ import annotations

from marshmallow import ValidationError

from core.db import db
from core.errors import KehuError
from web.portal import select_locale
from web.portal.forms import Form, refusal_status


def attempt(form: Form, action):
    """Run ``action`` and commit: ``(result, 200)``. A refusal — the rules' (422/409/403/404) or the form
    schema's (422) — rolls back, fills ``form`` with its messages in the reader's language and gives
    ``(None, status)``."""
    try:
        result = action()
    except (KehuError, ValidationError) as err:
        db.session.rollback()
        form.fail(err, select_locale())
        return None, refusal_status(err)
    db.session.commit()
    return result, 200
