"""Ownership and protection of customers (DOMAIN.md 3.3, CUS-20..CUS-27; CUS-14 households; CUS-60).

Pure rules — ``(policy values, calendar, facts, now) → outcome``, no database, no Flask, no clock:

- :mod:`.vocabulary` modes, evidence and contact kinds, states, labels (zh/en);
- :mod:`.settings` the ``cus`` sections ``ownership``, ``claim``, ``arbitration``
  (:class:`OwnershipPolicySchema`);
- :mod:`.facts` Staff, Claim, ContactEvent, Deal; :class:`Fact`, :class:`RuleDecision` and
  :class:`Decides` — every outcome has ``decision`` and ``record_kwargs()`` / ``owner_kwargs()``;
- :mod:`.contacts` CUS-60 :func:`check_contact_log`, :func:`classify_contacts` (CUS-23 validity);
- :mod:`.claims` CUS-21 :func:`first_claim`;
- :mod:`.windows` the CUS-22/23/24 protection windows and the CUS-25 warning time;
- :mod:`.state` CUS-20 :func:`ownership_state` (replay of claims, deals, windows; CUS-26 lock);
- :mod:`.expiry` CUS-25 :func:`expiry_action`;
- :mod:`.arbitration` CUS-27 :func:`arbitrate`;
- :mod:`.reasons` the Chinese and English reasons.

The service side (tables, I/O):

- :mod:`.models` claims, arbitration cases, household links;
- :mod:`.service` ``record_claim``, ``record_deal``, ``rejudge`` (loads facts, calls the rules, writes
  through ``core.customers.ownership_store.set_owner``), the "who owns this customer and why" answer;
- :mod:`.households` CUS-14 links; :mod:`.cases` CUS-27 cases; :mod:`.sweep` and :mod:`.jobs` the
  CUS-25 periodic sweep.

Time: aware datetimes only (CAL-08); day boundaries are the tenant's. A window "through X" ends at
00:00 of X+1 (CAL-05).
"""
from core.customers.ownership.arbitration import (  # noqa: F401
    ArbitrationCase, ArbitrationOutcome, Consequence, Objection, Quarrel, Ruling, arbitrate,
)
from core.customers.ownership.claims import ClaimDecision, first_claim  # noqa: F401
from core.customers.ownership.contacts import (  # noqa: F401
    ContactCheck, ContactVerdict, check_contact_log, classify_contacts,
)
from core.customers.ownership.expiry import ExpiryOutcome, expiry_action  # noqa: F401
from core.customers.ownership.facts import (  # noqa: F401
    Claim, ContactEvent, Deal, Decides, Fact, RuleDecision, Staff,
)
from core.customers.ownership.settings import (  # noqa: F401
    OnExpiry, OwnershipPolicySchema, QuarrelRule, load_ownership_policy,
)
from core.customers.ownership.state import OwnershipPeriod, OwnershipState, ownership_state  # noqa: F401
