"""One page of a long list in the portal (``?page=N``, 25 rows a page)."""
from __future__ import annotations

from dataclasses import dataclass

from flask import request
from sqlalchemy import func, select

from core.db import db

PER_PAGE = 25


@dataclass
class Page:
    items: list
    number: int
    pages: int
    total: int


def paginate(query, per_page: int = PER_PAGE) -> Page:
    """``query`` is a ``select`` of rows; the page number comes from the request, clamped to the pages there are."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max(1, -(-total // per_page))
    number = min(max(1, request.args.get("page", 1, type=int) or 1), pages)
    items = list(db.session.scalars(query.limit(per_page).offset((number - 1) * per_page)))
    return Page(items, number, pages, total)
