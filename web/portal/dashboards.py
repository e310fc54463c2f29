"""Portal pages: Dashboards (统计看板)."""
from __future__ import annotations

from flask import Blueprint, render_template

from web.portal.tenant_pages import login_required

bp = Blueprint("dashboards", __name__, url_prefix="/dashboards")


@bp.get("")
@login_required
def index():
    return render_template("portal/part_index.html", title_en="Dashboards")
