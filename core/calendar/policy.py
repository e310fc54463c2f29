"""The ``cal`` policy document: schema, defaults and calendar construction.

Every ``cal.*`` setting of DOMAIN.md section 2 with its default:

- ``timezone = Asia/Shanghai`` (CAL-08) is not in this document: it is the tenant's own zone
  (``tenants.timezone``), which also dates policy versions, so the two can never disagree; it is
  passed to :func:`calendar_from_policy`.
- ``weekly_rest_days = [sat, sun]``, ``overrides = []``, ``department_calendars = {}`` (CAL-01)
- ``provisional_fallback = statutory_holidays`` (CAL-02, alt ``weekends_only``)
- ``working_day_deadline_time = 24:00`` (CAL-03, alt ``business_close``)
- ``business_hours = [09:00–12:00, 13:30–18:00]`` (CAL-04)
- ``roll_last_day_off = {internal: false, customer: true}`` (CAL-05)
- ``long_leave_min = 15 days``, ``posts = []`` (CAL-11)

Loaded values: times become ``datetime.time`` (a window end ``"24:00"``
becomes ``time(0)``, meaning end of day), dates ``datetime.date``,
``long_leave_min`` a :class:`~core.calendar.durations.Duration`; everything
else stays plain JSON types. Unknown keys are refused (marshmallow RAISE).
Department calendars carry only the keys they set; missing keys inherit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

from marshmallow import (
    Schema,
    ValidationError,
    fields,
    validate,
    validates,
    validates_schema,
)

from .durations import Duration, format_duration, parse_duration
from .model import (
    DEADLINE_TIMES,
    DEFAULT_TIMEZONE,
    OVERRIDE_KINDS,
    WEEKDAYS,
    BusinessWindow,
    DepartmentCalendar,
    Override,
    format_clock_time,
    parse_clock_time,
)
from .national import FALLBACKS, STATUTORY_HOLIDAYS, NationalSource
from .workcalendar import WorkCalendar

DEFAULT_BUSINESS_HOURS_POLICY = (
    {"start": dt.time(9, 0), "end": dt.time(12, 0)},
    {"start": dt.time(13, 30), "end": dt.time(18, 0)},
)
LONG_LEAVE_UNITS = ("days", "weeks", "months", "years", "working_days")


class ClockTime(fields.Field):
    """``"HH:MM"`` ↔ ``datetime.time``; with ``allow_24`` ``"24:00"`` ↔ ``time(0)`` (end of day)."""

    default_error_messages = {"invalid": "Not a valid time: expected 'HH:MM'."}

    def __init__(self, *, allow_24: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.allow_24 = allow_24

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        return format_clock_time(value, as_end=self.allow_24)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> dt.time:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        try:
            return parse_clock_time(value, allow_24=self.allow_24)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class DurationField(fields.Field):
    """A typed duration string (section 1) ↔ :class:`Duration`, limited to ``units``."""

    def __init__(self, *, units: tuple[str, ...] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.units = units

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else format_duration(value)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Duration:
        try:
            duration = parse_duration(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        if self.units is not None and duration.unit not in self.units:
            raise ValidationError(f"Unit must be one of {', '.join(self.units)}.")
        return duration


def unique_values(what: str):
    """A list validator: every value at most once (the message names ``what``)."""

    def check(values: list) -> None:
        seen = set()
        for value in values:
            if value in seen:
                raise ValidationError(f"Duplicate {what} {value!r}.")
            seen.add(value)

    return check


class WindowSchema(Schema):
    """A business-hours window (CAL-04)."""

    start = ClockTime(required=True)
    end = ClockTime(required=True, allow_24=True)

    @validates_schema
    def _end_after_start(self, data: dict, **kwargs: Any) -> None:
        start, end = data.get("start"), data.get("end")
        if start is not None and end is not None and end != dt.time(0) and end <= start:
            raise ValidationError("End must be after start.", field_name="end")


class OverrideSchema(Schema):
    """A tenant override of one date (CAL-01)."""

    date = fields.Date(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(OVERRIDE_KINDS))
    note = fields.String(load_default="")


class RollSchema(Schema):
    """``cal.roll_last_day_off`` (CAL-05)."""

    internal = fields.Boolean(load_default=False)
    customer = fields.Boolean(load_default=True)


class PostSchema(Schema):
    """``cal.posts`` item (CAL-11)."""

    post = fields.String(required=True, validate=validate.Length(min=1))
    min_on_duty = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))


def _rest_days_field(**kwargs: Any) -> fields.List:
    return fields.List(
        fields.String(validate=validate.OneOf(WEEKDAYS, error="Unknown weekday {input!r}; use one of {choices}.")),
        validate=unique_values("weekday"),
        **kwargs,
    )


class _CalendarPartsSchema(Schema):
    """Checks shared by the tenant and department calendars."""

    @validates("business_hours")
    def _windows_do_not_overlap(self, windows: list, data_key: str | None = None, **kwargs: Any) -> None:
        complete = [w for w in windows if w.get("start") is not None and w.get("end") is not None]
        ordered = sorted(complete, key=lambda w: w["start"])
        for before, after in zip(ordered, ordered[1:]):
            if before["end"] == dt.time(0) or after["start"] < before["end"]:
                raise ValidationError(
                    f"Windows {_window_text(before)} and {_window_text(after)} overlap."
                )

    @validates("overrides")
    def _one_override_per_date(self, overrides: list, data_key: str | None = None, **kwargs: Any) -> None:
        seen: dict[dt.date, int] = {}
        errors: dict[int, dict[str, list[str]]] = {}
        for index, item in enumerate(overrides):
            if item.get("date") is None:
                continue
            if item["date"] in seen:
                errors[index] = {"date": [
                    f"Duplicate override date {item['date'].isoformat()} (also item {seen[item['date']]})."
                ]}
            else:
                seen[item["date"]] = index
        if errors:
            raise ValidationError(errors)


class DepartmentCalendarSchema(_CalendarPartsSchema):
    """A department calendar derived from the tenant's (CAL-01); missing keys inherit."""

    weekly_rest_days = _rest_days_field()
    business_hours = fields.List(fields.Nested(WindowSchema), validate=validate.Length(min=1))
    overrides = fields.List(fields.Nested(OverrideSchema))


class CalendarPolicySchema(_CalendarPartsSchema):
    """The tenant policy document of module ``cal`` (CAL-01..CAL-11)."""

    weekly_rest_days = _rest_days_field(load_default=lambda: ["sat", "sun"])
    overrides = fields.List(fields.Nested(OverrideSchema), load_default=list)
    business_hours = fields.List(
        fields.Nested(WindowSchema),
        validate=validate.Length(min=1),
        load_default=lambda: [dict(w) for w in DEFAULT_BUSINESS_HOURS_POLICY],
    )
    working_day_deadline_time = fields.String(
        validate=validate.OneOf(DEADLINE_TIMES), load_default="24:00"
    )
    roll_last_day_off = fields.Nested(
        RollSchema, load_default=lambda: {"internal": False, "customer": True}
    )
    provisional_fallback = fields.String(
        validate=validate.OneOf(FALLBACKS), load_default=STATUTORY_HOLIDAYS
    )
    long_leave_min = DurationField(units=LONG_LEAVE_UNITS, load_default=lambda: Duration(15, "days"))
    posts = fields.List(fields.Nested(PostSchema), load_default=list)
    department_calendars = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1)),
        values=fields.Nested(DepartmentCalendarSchema),
        load_default=dict,
    )

    @validates("posts")
    def _one_entry_per_post(self, posts: list, data_key: str | None = None, **kwargs: Any) -> None:
        unique_values("post")([p["post"] for p in posts if p.get("post") is not None])


def load_calendar_policy(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Validate and load a raw ``cal`` policy document (``{}`` → all defaults)."""
    return CalendarPolicySchema().load(raw)


def calendar_from_policy(values: Mapping[str, Any], national: NationalSource | None = None,
                         timezone: str = DEFAULT_TIMEZONE) -> WorkCalendar:
    """Build the tenant :class:`WorkCalendar` from a *loaded* ``cal`` policy (CAL-01..CAL-08).

    Missing keys take the defaults. ``national`` defaults to the shared
    :class:`~core.calendar.national.NationalData` (chinese_calendar + CAL-02 fallback).
    """
    roll = values.get("roll_last_day_off") or {}
    kwargs: dict[str, Any] = {}
    if national is not None:
        kwargs["national"] = national
    return WorkCalendar(
        timezone=timezone,
        weekly_rest_days=tuple(values.get("weekly_rest_days", ("sat", "sun"))),
        overrides=tuple(_override(o) for o in values.get("overrides", ())),
        business_hours=tuple(
            _window(w) for w in values.get("business_hours", DEFAULT_BUSINESS_HOURS_POLICY)
        ),
        working_day_deadline_time=values.get("working_day_deadline_time", "24:00"),
        roll_last_day_off_internal=bool(roll.get("internal", False)),
        roll_last_day_off_customer=bool(roll.get("customer", True)),
        provisional_fallback=values.get("provisional_fallback", STATUTORY_HOLIDAYS),
        department_calendars=tuple(
            (name, _department(dep)) for name, dep in (values.get("department_calendars") or {}).items()
        ),
        **kwargs,
    )


def _window(item: Mapping[str, Any]) -> BusinessWindow:
    return BusinessWindow(
        parse_clock_time(item["start"]), parse_clock_time(item["end"], allow_24=True)
    )


def _override(item: Mapping[str, Any]) -> Override:
    day = item["date"]
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    return Override(day, item["kind"], item.get("note") or "")


def _department(item: Mapping[str, Any]) -> DepartmentCalendar:
    rest = item.get("weekly_rest_days")
    hours = item.get("business_hours")
    return DepartmentCalendar(
        weekly_rest_days=None if rest is None else tuple(rest),
        business_hours=None if hours is None else tuple(_window(w) for w in hours),
        overrides=tuple(_override(o) for o in item.get("overrides") or ()),
    )


def _window_text(window: Mapping[str, dt.time]) -> str:
    return f"{format_clock_time(window['start'])}–{format_clock_time(window['end'], as_end=True)}"
