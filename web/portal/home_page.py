"""The home page of the portal, by role."""
from __future__ import annotations

from flask import render_template


def render():
    return render_template("portal/home.html")
