"""The portal's form helper and filters: messages per field in the reader's language, nothing typed lost,
times in the tenant's zone, deadlines as time left."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from flask import g
from marshmallow import Schema, ValidationError, fields, validate

from core.errors import Conflict, InvalidInput
from web.portal.filters import local_time, money, time_left
from web.portal.forms import Form, flatten


class _Order(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(["repair", "install"]))
    count = fields.Integer(validate=validate.Range(min=1, max=5))
    data = fields.Nested(Schema.from_dict({"purchase_date": fields.Date(required=True)}), required=True)


def _request(app, lang, form=None):
    return app.test_request_context("/t/x/", method="POST", data=form or {}, query_string={"lang": lang})


def test_nested_messages_are_flattened_to_dotted_names():
    assert flatten({"data": {"purchase_date": ["a"]}, "phones": {0: ["b"]}, "_schema": ["c"]}) == {
        "data.purchase_date": ["a"], "phones.0": ["b"], "_schema": ["c"]}


def test_marshmallow_errors_in_chinese_next_to_their_fields(app):
    with _request(app, "zh_Hans", {"kind": "paint", "count": "9", "csrf_token": "t"}):
        form = Form.posted()
        try:
            _Order().load(form.values)
        except ValidationError as err:
            form.fail(err, "zh_Hans")
        assert form.values == {"kind": "paint", "count": "9"}  # what was typed, the token left out
        assert form.error("kind") == "须为以下之一：repair, install。"
        assert form.error("count") == "须在 1 到 5 之间。"
        assert form.error("data") == "此项必填。"
        assert form.message == "请修改下面标出的字段。"


def test_the_same_errors_in_english(app):
    with _request(app, "en", {"kind": "paint"}):
        form = Form.posted()
        try:
            _Order().load(form.values)
        except ValidationError as err:
            form.fail(err, "en")
        assert form.error("kind") == "Must be one of: repair, install."
        assert form.error("data") == "Missing data for required field."


def test_domain_refusal_uses_its_chinese_reason(app):
    with _request(app, "zh_Hans"):
        form = Form.posted().fail(Conflict("order is on site", reason_zh="工单已在现场"), "zh_Hans")
        assert form.message == "工单已在现场" and form.errors == {}
        form = Form.posted().fail(InvalidInput("bad", fields={"data": {"purchase_date": ["Not a valid date."]}}),
                                  "zh_Hans")
        assert form.error("data.purchase_date") == "请输入有效日期。"
        assert form.unplaced({"data.purchase_date"}) == {}
        assert form.unplaced(set()) == {"data.purchase_date": ["请输入有效日期。"]}


def test_times_are_shown_in_the_tenants_zone(app):
    with app.test_request_context("/"):
        g.tenant = SimpleNamespace(timezone="Asia/Shanghai")
        assert local_time(dt.datetime(2026, 6, 19, 13, 10, tzinfo=dt.timezone.utc)) == "2026-06-19 21:10"
        assert local_time(dt.date(2026, 10, 8)) == "2026-10-08"
        assert local_time(None) == ""


def test_time_left_to_a_deadline(app):
    now = dt.datetime(2026, 6, 19, 13, 10, tzinfo=dt.timezone.utc)
    with _request(app, "zh_Hans"):
        assert time_left(now + dt.timedelta(minutes=45), now) == {"text": "剩余 45分钟", "state": "warn"}
        assert time_left(now + dt.timedelta(days=1, hours=2), now) == {"text": "剩余 1天2小时", "state": "ok"}
        assert time_left(now - dt.timedelta(hours=3, minutes=5), now) == {"text": "已超时 3小时5分", "state": "late"}
    with _request(app, "en"):
        assert time_left(now - dt.timedelta(hours=3, minutes=5), now)["text"] == "3h 5min overdue"


def test_money():
    assert money("380") == "¥380.00" and money(1234567.5) == "¥1,234,567.50" and money(None) == ""
    assert money("-100") == "-¥100.00"


def test_an_english_summary_gives_way_to_the_fields_in_chinese(app):
    with _request(app, "zh_Hans"):
        form = Form.posted().fail(InvalidInput("invalid customer", fields={"name": ["required"]}), "zh_Hans")
        assert form.message == "请修改下面标出的字段。" and form.error("name") == "必填"
    with _request(app, "en"):
        form = Form.posted().fail(InvalidInput("invalid customer", fields={"name": ["required"]}), "en")
        assert form.message == "invalid customer"


def test_a_deadline_at_midnight_reads_as_the_day_before_at_24_00(app):
    """CAL: a working-day deadline ends at 24:00 — shown as regulations write it, not as the next day's 00:00."""
    from web.portal.filters import due_time

    with app.test_request_context("/"):
        g.tenant = SimpleNamespace(timezone="Asia/Shanghai")
        assert due_time(dt.datetime(2026, 12, 3, 16, 0, tzinfo=dt.timezone.utc)) == "2026-12-03 24:00"
        assert due_time(dt.datetime(2026, 12, 3, 8, 26, tzinfo=dt.timezone.utc)) == "2026-12-03 16:26"
        assert due_time(None) == ""
