"""The viewer context applied by ``get_customer`` and ``search`` (CUS-70): a viewer sees what the
rules allow, no viewer (jobs, CLI) and ``unrestricted`` see the whole tenant, a writer does not
ride on a viewing grant."""
import datetime as dt

import pytest
from sqlalchemy import select

from core.accounts.models import Department
from core.accounts.service import create_user
from core.audit.recorder import acting_as
from core.customers import ownership_store, service
from core.customers.confidentiality import access
from core.customers.confidentiality.models import ViewRequest
from core.customers.confidentiality.viewer import Viewer, unrestricted, viewer_scope
from core.db import db, utcnow
from core.errors import NotFound
from core.tenancy import tenant_scope


@pytest.fixture
def world(two_tenants):
    a, _b = two_tenants
    with tenant_scope(a.id), acting_as("test"):
        d1, d2 = Department(name="一部"), Department(name="二部")
        db.session.add_all([d1, d2])
        db.session.flush()
        sub = Department(name="一部一组", parent_id=d1.id)
        db.session.add(sub)
        db.session.flush()
        s1 = create_user("s1", "s1", "correct horse 9", roles=["salesperson"])
        s2 = create_user("s2", "s2", "correct horse 9", roles=["salesperson"])
        head = create_user("head", "head", "correct horse 9", roles=["supervisor"])  # no department: heads 一部
        s1.department_id, s2.department_id = sub.id, d2.id
        d1.head_user_id = head.id
        c1, _ = service.create_customer({"name": "王一", "phones": [{"number": "13800138000"}]}, created_by=s1.id)
        c2, _ = service.create_customer({"name": "李二", "phones": [{"number": "13900139000"}]})
        db.session.flush()
        ownership_store.set_owner(c2.id, owner_id=s2.id, state="protected", rule_id="CUS-20", reason_zh="测",
                                  reason_en="t", department_id=d2.id)
        db.session.commit()
        yield a, {"s1": s1, "s2": s2, "head": head}, c1.id, c2.id


def _ids(stmt):
    return sorted(c.id for c in db.session.scalars(stmt))


def test_viewer_scopes_get_and_search(world):
    a, users, c1, c2 = world
    with tenant_scope(a.id):
        with viewer_scope(Viewer.of(users["s1"])):
            assert service.get_customer(c1).id == c1
            with pytest.raises(NotFound):
                service.get_customer(c2)
            assert _ids(service.search()) == [c1]
            with unrestricted("test: a look-up that reveals nothing"):
                assert service.get_customer(c2).id == c2
        with viewer_scope(Viewer.of(users["head"])):  # heads 一部: sees the unowned customer its sub-team member created
            assert _ids(service.search()) == [c1]
        with viewer_scope(Viewer(None, frozenset())):  # no user: nothing
            assert _ids(service.search()) == []
        assert _ids(service.search()) == sorted([c1, c2])  # no viewer (jobs, CLI): the whole tenant


def test_a_grant_lets_a_viewer_read_but_not_write(world):
    a, users, c1, c2 = world
    with tenant_scope(a.id), acting_as("test"):
        db.session.add(ViewRequest(customer_id=c2, requester_id=users["s1"].id, purpose="p", reason="r", case="other",
                                   approver_role="gm", status="approved", view_only=True,
                                   grant_from=utcnow() - dt.timedelta(hours=1),
                                   grant_until=utcnow() + dt.timedelta(hours=1)))
        db.session.commit()
        assert access.is_visible(c2, Viewer.of(users["s1"]))
        assert not access.is_visible(c2, Viewer.of(users["s1"], writing=True))
        assert not access.may_download(c2, Viewer.of(users["s1"]))
        assert access.may_download(c1, Viewer.of(users["s1"]))
        assert not access.is_visible(c2, Viewer.of(users["head"]))  # someone else's grant
        request = db.session.scalars(select(ViewRequest)).one()
        request.grant_until = utcnow() - dt.timedelta(seconds=1)
        db.session.commit()
        assert not access.is_visible(c2, Viewer.of(users["s1"]))
