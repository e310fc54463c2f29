"""Building blocks of policy schemas shared by the modules and the plugins."""
from __future__ import annotations

from marshmallow import Schema, fields


def section(schema: type[Schema]) -> fields.Nested:
    """A nested section of a policy document that defaults to its own defaults when left out."""
    return fields.Nested(schema, load_default=lambda: schema().load({}))
