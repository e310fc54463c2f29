"""Portal pages: the tenant's regulation settings (policies), their versions, dry-run and publishing."""
from __future__ import annotations

from flask import Blueprint, render_template

from core.policy import service as policies
from web.portal.tenant_pages import MANAGERS, roles_required

bp = Blueprint("policies", __name__, url_prefix="/policies")


@bp.get("")
@roles_required(*MANAGERS)
def index():
    modules = []
    for module, spec in sorted(policies.schemas().items()):
        view = policies.in_force(module)
        modules.append({"module": module, "spec": spec, "view": view, "history": policies.history(module)})
    return render_template("portal/policies.html", modules=modules)
