"""Portal pages: Staff (人员考核)."""
from __future__ import annotations

from flask import Blueprint, render_template

from web.portal.tenant_pages import login_required

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.get("")
@login_required
def index():
    return render_template("portal/part_index.html", title_en="Staff")
