"""One error shape for the whole API: ``{"code", "status", "message", "errors": {"json": {field: [..]}}}``
(the same shape flask-smorest gives for 422), 404 for anything of another tenant, 409 for conflicts."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from sqlalchemy.exc import DataError, IntegrityError
from werkzeug.exceptions import HTTPException

from core.db import db
from core.errors import KehuError

log = logging.getLogger("kehu.errors")


def error_body(code: int, message: str, fields: dict | None = None, **extra) -> dict:
    from http import HTTPStatus

    body = {"code": code, "status": HTTPStatus(code).phrase, "message": message}
    if fields:
        body["errors"] = {"json": fields}
    body.update(extra)
    return body


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _portal_page() -> bool:
    return request.path.startswith("/t/")


def _portal_error(code: int, message: str | None = None):
    """An error page of the portal, in the reader's language, inside the tenant's layout."""
    from flask import render_template
    from flask_babel import gettext as _

    titles = {400: _("The request was not valid."), 403: _("You may not open this page."),
              404: _("This page does not exist."), 405: _("This page does not exist."),
              409: _("This cannot be done now."), 413: _("The file is too large."),
              422: _("The data was not valid."), 429: _("Too many requests. Try again in a few minutes.")}
    title = titles.get(code, _("Something went wrong."))
    return render_template("portal/error.html", code=code, title=title, message=message or ""), code


def init_app(app: Flask) -> None:
    @app.errorhandler(KehuError)
    def _domain_error(err: KehuError):
        db.session.rollback()
        if _wants_json():
            return jsonify(error_body(err.status, err.message, err.fields, **err.extra)), err.status
        if _portal_page():
            from web.portal.forms import form_message
            from web.portal import select_locale

            return _portal_error(err.status, form_message(err, select_locale()))
        return err.message, err.status

    @app.errorhandler(IntegrityError)
    def _integrity(err: IntegrityError):
        db.session.rollback()
        log.info("integrity error: %s", err.orig)
        if _wants_json():
            return jsonify(error_body(409, "conflicts with existing data")), 409
        return "conflict", 409

    @app.errorhandler(DataError)
    @app.errorhandler(OverflowError)
    def _out_of_range(err):
        """A number too large for the database (an id of 20 digits): bad input, not a server error."""
        db.session.rollback()
        log.info("value out of range: %s", err)
        if _wants_json():
            return jsonify(error_body(422, "a number is out of range", reason_zh="数值超出范围")), 422
        return "a number is out of range", 422

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException):
        if _portal_page() and err.code and 400 <= err.code < 500:
            return _portal_error(err.code)
        if not _wants_json():
            return err
        body = getattr(err, "data", None)  # flask-smorest / webargs put details here
        if isinstance(body, dict) and "messages" in body:
            answer = error_body(err.code, "invalid input")
            answer["errors"] = body["messages"]  # already keyed by location: {"json": {field: [...]}}
            return jsonify(answer), err.code
        return jsonify(error_body(err.code, err.description or "")), err.code
