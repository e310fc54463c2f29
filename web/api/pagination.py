"""Pagination of SQLAlchemy selects for flask-smorest's ``@blp.paginate()`` (X-Pagination header)."""
from __future__ import annotations

from sqlalchemy import func, select

from core.db import db


def newest_first(model, filters: dict):
    """``select(model)`` newest first, with an equality condition per query argument."""
    stmt = select(model).order_by(model.id.desc())
    for key, value in filters.items():
        stmt = stmt.where(getattr(model, key) == value)
    return stmt


def page_of(stmt, pagination_parameters):
    count = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    pagination_parameters.item_count = count
    offset = pagination_parameters.first_item
    return list(db.session.scalars(stmt.offset(offset).limit(pagination_parameters.page_size)))
