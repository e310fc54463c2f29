"""A policy document is made of the sections each part of a module declares (explicit base classes).
Two parts declaring the same key would silently shadow each other (one part's settings rejected as
unknown): every shared key must be joined by the document itself, as ``cmp.major`` is."""
import pytest

from core.complaints.policy import CmpPolicySchema
from core.customers.policy import CusPolicySchema
from core.staff.policy import StfPolicySchema


@pytest.mark.parametrize("document", [CusPolicySchema, CmpPolicySchema, StfPolicySchema])
def test_no_two_sections_declare_the_same_key_unless_the_document_joins_them(document):
    owners: dict[str, list[str]] = {}
    for base in document.__bases__:
        for key in base._declared_fields:
            owners.setdefault(key, []).append(base.__name__)
    shared = {key for key, bases in owners.items() if len(bases) > 1}
    # joined: the document's own field, not one of the sections' (marshmallow keeps the last definition)
    joined = {key for key in shared
              if all(document._declared_fields[key] is not base._declared_fields.get(key) for base in document.__bases__)}
    assert shared - joined == set(), f"{document.__name__}: sections share {sorted(shared - joined)}"


def test_cmp_major_holds_the_criteria_and_the_major_path():
    values = CmpPolicySchema().load({"major": {"criteria": ["media"], "ack_within": "2 hours"}})["major"]
    assert values["criteria"] == ["media"] and str(values["ack_within"]) == "2 hours"
    assert values["notify"] == ["dept_manager", "gm"] and values["group_member"] is False
