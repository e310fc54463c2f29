"""Portal pages: Complaints (投诉)."""
from __future__ import annotations

from flask import Blueprint, render_template

from web.portal.tenant_pages import login_required

bp = Blueprint("complaints", __name__, url_prefix="/complaints")


@bp.get("")
@login_required
def index():
    return render_template("portal/part_index.html", title_en="Complaints")
