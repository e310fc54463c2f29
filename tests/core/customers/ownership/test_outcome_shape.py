"""Every outcome of the ownership rules has one shape (``Decides``): ``decision`` and the keyword
arguments for ``core.decisions.service.record`` / ``ownership_store.set_owner``."""
import json

from core.customers.ownership.arbitration import ArbitrationCase, arbitrate
from core.customers.ownership.claims import first_claim
from core.customers.ownership.contacts import check_contact_log
from core.customers.ownership.expiry import expiry_action
from core.customers.ownership.facts import Claim, ContactEvent, Decides
from core.customers.ownership.state import ownership_state
from tests.core.customers.ownership.test_rules import CAL, A, B, at, policy


def test_every_outcome_gives_record_kwargs():
    pol = policy()
    claims = [Claim(A, "register", at(2026, 3, 5, 10, 2), 1), Claim(B, "register", at(2026, 3, 5, 14, 30), 2)]
    state = ownership_state(pol, CAL, claims, (), (), at(2026, 5, 7))
    outcomes = [
        check_contact_log(ContactEvent("on_site", at(2026, 6, 4, 10))),
        first_claim(pol, claims, CAL),
        state,
        expiry_action(pol, state),
        arbitrate(pol, CAL, ArbitrationCase(at(2026, 3, 6), claims=tuple(claims), record_id=9), at(2026, 3, 7)),
    ]
    rule_ids = []
    for outcome in outcomes:
        assert isinstance(outcome, Decides)
        kwargs = outcome.record_kwargs(42)
        assert set(kwargs) == {"subject_type", "subject_id", "rule_id", "reason_zh", "reason_en", "facts", "outcome"}
        assert kwargs["subject_id"] == 42 and kwargs["reason_zh"] and kwargs["reason_en"]
        json.dumps(kwargs)  # JSON-ready: staff are ids, instants ISO strings
        rule_ids.append(kwargs["rule_id"])
    assert rule_ids == ["CUS-60", "CUS-21", "CUS-25", "CUS-25", "CUS-27"]
    assert outcomes[1].owner_kwargs()["outcome"]["owner"] == "A"
