"""Assignment and reassignment of customers and leads (DOMAIN.md 3.4, CUS-30..CUS-36) as pure rules.

The modules of this package, each named by what it holds: :mod:`.settings` (the sections of the ``cus``
document), :mod:`.outcomes` (the decision shape, skipped candidates, staff), :mod:`.eligibility`
(CUS-30), :mod:`.rotation` (CUS-31), :mod:`.batch` (CUS-32), :mod:`.shuffle` (CUS-32/33),
:mod:`.redistribution` (CUS-33, CUS-35), :mod:`.override` (CUS-34), :mod:`.contacts` (CUS-36). Everything
public is importable from ``core.customers.assignment.rules``.

Every function here is a pure function of (policy values, facts, now) → outcome. No database, no Flask:
a service loads the facts, calls the rule, stores the outcome and writes its decision with
``core.decisions.service.record(**outcome.record_kwargs(), policy=view)``. Each outcome carries the
rule id, the facts used (with the ids of the records they came from) and a reason in Chinese and English.

Settings (the ``cus`` policy document; :class:`AssignmentPolicySchema`, spec defaults)::

    cus.assign.default = manual                      CUS-30  round_robin | equal_split | random_draw | by_tier | manual
    cus.assign.by_tier = {}                          CUS-30  {grade: [team, next team, ...]}
    cus.assign.team_capacity = {}                    CUS-30  {team: max customers held}
    cus.rotation.accruing_absences = [company_business, with_customer]   CUS-31, CAL-11
    cus.rotation.order = fixed                       CUS-31  alt fewest_received_today
    cus.rotation.owed_turns_expire = never           CUS-31  alt end_of_day   (not in the spec: ambiguity)
    cus.batch.participants_only = true               CUS-32
    cus.batch.remainder = fewest_this_month          CUS-32  alt seeded_shuffle
    cus.reassign.on_leave = random_draw              CUS-33  alt manual
    cus.reassign.scope = same_department             CUS-33  alt same_team | tenant
    cus.reassign.block_deactivation = true           CUS-35
    cus.reassign.notify_customer = false             CUS-35
    cus.contacts.min_for_flag = {key_prospect: 2}    CUS-36
    cus.ka.handover_on_signing = false               CUS-36

Public API (rule ids in brackets):

- eligibility [CUS-30]: :func:`screen_candidate`, :func:`screen_candidates`
- by tier [CUS-30]: :func:`assign_by_tier`, :func:`pick_team_member` (the member inside the team)
- rotation [CUS-31, RE-01/RE-02]: :class:`RotationState`, :class:`Arrival`, :func:`next_turn`,
  :func:`with_order`
- lead batch [CUS-32]: :func:`split_lead_batch`
- random draw [CUS-33]: :func:`seeded_shuffle`, :func:`random_draw`
- manual override [CUS-34]: :func:`manual_override`
- reassignment triggers [CUS-35]: :func:`check_deactivation`, :func:`reassignment_trigger`,
  :func:`redistribute`
- contacts and KA handover [CUS-36]: :func:`contact_tasks`, :func:`ka_signing_handover`

Seeded randomness (CUS-32 ties, CUS-33): :func:`seeded_shuffle` is ``random.Random(seed).shuffle`` on the
list sorted ascending, with an ``int`` seed ≥ 0. The exact algorithm, so that a draw can be re-run years
later even by another implementation: MT19937 seeded by ``init_by_array`` with the 32-bit words of the
seed (least significant first; ``[0]`` for seed 0); then Fisher–Yates from the end: for ``i`` from
``n-1`` down to ``1``, ``j = randbelow(i+1)``, swap ``x[i]`` and ``x[j]``; ``randbelow(m)`` takes
``k = m.bit_length()`` bits with ``getrandbits(k)`` and draws again while the value is ``≥ m``. This is
what CPython's ``random.shuffle`` does (3.11 here). :func:`fisher_yates_reference` writes it out on
``getrandbits`` alone; the tests pin both against the spec vectors (CUS-33, RE-23) and against each
other, so should a future Python change ``shuffle``, the reference function takes over unchanged.
The seed, the lists and the result are stored in the outcome's facts.
"""
from __future__ import annotations

from core.customers.assignment.rules.settings import (
    ABSENCES,
    BATCH_REMAINDERS,
    DEFAULT_TIMEZONE,
    ON_LEAVE_STRATEGIES,
    OWED_TURNS_EXPIRY,
    REASSIGN_SCOPES,
    ROTATION_ORDERS,
    STRATEGIES,
    AssignSchema,
    AssignmentPolicySchema,
    BatchSchema,
    ContactsSchema,
    KaSchema,
    ReassignSchema,
    RotationSchema,
    load_assignment_policy,
)
from core.customers.assignment.rules.outcomes import (
    SKIP_REASONS,
    Decided,
    Skip,
    StaffMember,
)
from core.customers.assignment.rules.eligibility import (
    Assignment,
    assign_by_tier,
    default_strategy,
    pick_team_member,
    screen_candidate,
    screen_candidates,
)
from core.customers.assignment.rules.rotation import (
    DESIGNATED,
    NEW,
    RETURNING,
    Arrival,
    OwedTurn,
    RotationState,
    next_turn,
    with_order,
)
from core.customers.assignment.rules.shuffle import (
    fisher_yates_reference,
    seeded_shuffle,
)
from core.customers.assignment.rules.batch import (
    BatchSplit,
    Lead,
    split_lead_batch,
)
from core.customers.assignment.rules.redistribution import (
    DELEGATED_TRIGGERS,
    REDISTRIBUTION_TRIGGERS,
    DeactivationCheck,
    ReassignmentPlan,
    Redistribution,
    check_deactivation,
    random_draw,
    reassignment_trigger,
    redistribute,
)
from core.customers.assignment.rules.override import (
    manual_override,
)
from core.customers.assignment.rules.contacts import (
    ContactTask,
    Handover,
    contact_tasks,
    ka_signing_handover,
)

__all__ = [
    "ABSENCES",
    "Arrival",
    "AssignSchema",
    "Assignment",
    "AssignmentPolicySchema",
    "BATCH_REMAINDERS",
    "BatchSchema",
    "BatchSplit",
    "ContactTask",
    "ContactsSchema",
    "DEFAULT_TIMEZONE",
    "DELEGATED_TRIGGERS",
    "DESIGNATED",
    "DeactivationCheck",
    "Decided",
    "Handover",
    "KaSchema",
    "Lead",
    "NEW",
    "ON_LEAVE_STRATEGIES",
    "OWED_TURNS_EXPIRY",
    "OwedTurn",
    "REASSIGN_SCOPES",
    "REDISTRIBUTION_TRIGGERS",
    "RETURNING",
    "ROTATION_ORDERS",
    "ReassignSchema",
    "ReassignmentPlan",
    "Redistribution",
    "RotationSchema",
    "RotationState",
    "SKIP_REASONS",
    "STRATEGIES",
    "Skip",
    "StaffMember",
    "assign_by_tier",
    "check_deactivation",
    "contact_tasks",
    "default_strategy",
    "fisher_yates_reference",
    "ka_signing_handover",
    "load_assignment_policy",
    "manual_override",
    "pick_team_member",
    "next_turn",
    "random_draw",
    "reassignment_trigger",
    "redistribute",
    "screen_candidate",
    "screen_candidates",
    "seeded_shuffle",
    "split_lead_batch",
    "with_order",
]
