"""The tenant's working-day calendar (spec CAL): which days work, and deadlines computed on it."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.calendar import parse_duration
from core.calendar import service as calendar_service
from core.calendar.service import tenant_calendar
from core.errors import InvalidInput

PREFIX = "/calendar"
blp = Blueprint("calendar", __name__, description="Working days, holidays, make-up days and deadlines")

MAX_DAYS = 366


class DaysQuerySchema(Schema):
    start = fields.Date(required=True, data_key="from")
    end = fields.Date(required=True, data_key="to")
    department = fields.String()

    @validates_schema
    def _range(self, data, **kwargs):
        if data["end"] < data["start"]:
            raise ValidationError("must not be before 'from'", "to")
        if (data["end"] - data["start"]).days >= MAX_DAYS:
            raise ValidationError(f"at most {MAX_DAYS} days per request", "to")


class DaySchema(Schema):
    date = fields.Date()
    working = fields.Boolean()
    reason = fields.String()
    provisional = fields.Boolean()


class DeadlineQuerySchema(Schema):
    start = fields.AwareDateTime(required=True, metadata={"description": "ISO 8601 with offset"})
    duration = fields.String(required=True, metadata={"description": 'e.g. "3 working_days", "24 hours"'})
    audience = fields.String(load_default="internal", validate=validate.OneOf(["internal", "customer"]))
    department = fields.String()


class DeadlineSchema(Schema):
    at = fields.DateTime(metadata={"description": "the instant, tenant time zone"})
    through = fields.Date(metadata={"description": "last day still in time"})
    provisional = fields.Boolean(metadata={"description": "CAL-02: a year without national data was used"})
    rule = fields.String()
    trace = fields.List(fields.String())
    policy_version = fields.Integer()


@blp.route("/days")
class Days(MethodView):
    @blp.arguments(DaysQuerySchema, location="query")
    @blp.response(200, DaySchema(many=True))
    def get(self, args):
        """Each day of a range: working or off, and why (CAL-01, CAL-02), under the calendar policy
        version in force on that day."""
        return calendar_service.days(args["start"], args["end"], args.get("department"))


@blp.route("/deadlines")
class Deadlines(MethodView):
    @blp.arguments(DeadlineQuerySchema)
    @blp.response(200, DeadlineSchema)
    def post(self, args):
        """Compute a deadline: ``start`` + ``duration`` on the tenant calendar (CAL-03..CAL-06).
        Nothing is stored."""
        try:
            duration = parse_duration(args["duration"])
        except ValueError as err:
            raise InvalidInput("invalid duration", fields={"duration": [str(err)]}) from err
        calendar, view = tenant_calendar(args["start"], department=args.get("department"))
        deadline = calendar.add_duration(args["start"], duration, audience=args["audience"])
        return {"at": deadline.at, "through": deadline.through, "provisional": deadline.provisional,
                "rule": deadline.rule, "trace": list(deadline.trace), "policy_version": view.version}
