"""The attachment service as other modules use it: store, require (422 naming the caller's field),
attachments_of, delete (the file goes once the deletion commits, and stays if it rolls back)."""
from __future__ import annotations

import io

import pytest

from core.attachments import service, storage
from core.audit.recorder import acting_as
from core.db import db
from core.errors import InvalidInput, NotFound
from core.tenancy import tenant_scope
from tests.core.attachments.files import pdf_bytes, png_bytes
from tests.web.api.service_desk import ServiceDesk


@pytest.fixture
def desk(client, make_tenant):
    return ServiceDesk(client, make_tenant, "att-svc")


def _store(desk, subject_type, subject_id, data, name="现场.png", kind="photo"):
    with tenant_scope(desk.handle.id), acting_as("test", desk.id("wu")):
        att = service.store(subject_type, subject_id, io.BytesIO(data), name, kind=kind, by=desk.id("wu"))
        db.session.commit()
        return att.id


def test_require_names_the_callers_field(desk):
    order, other = desk.order(), desk.order()
    photo = _store(desk, "work_order", order["id"], png_bytes())
    form = _store(desk, "work_order", order["id"], pdf_bytes(), name="签字单.pdf", kind="signed_form")
    elsewhere = _store(desk, "work_order", other["id"], png_bytes())
    with tenant_scope(desk.handle.id):
        assert service.require(photo, field="photo_ids", subject_type="work_order", subject_id=order["id"],
                               kinds=("photo",)).id == photo
        cases = [
            (dict(attachment_id=999_999_999), "no such attachment"),
            (dict(attachment_id=elsewhere, subject_id=order["id"]), "attached to another work_order"),
            (dict(attachment_id=photo, subject_type="complaint"), "not attached to a complaint"),
            (dict(attachment_id=form, kinds=("photo", "scan")), "is a signed_form, not a photo or scan"),
            (dict(attachment_id="x"), "no such attachment"),
        ]
        for kwargs, message in cases:
            with pytest.raises(InvalidInput) as refused:
                service.require(kwargs.pop("attachment_id"), field="photo_ids", **kwargs)
            assert list(refused.value.fields) == ["photo_ids"]
            assert message in refused.value.fields["photo_ids"][0]
        assert [a.id for a in service.require_all([photo, photo], field="ids")] == [photo]
        assert [a.id for a in service.attachments_of("work_order", order["id"])] == [photo, form]
        assert [a.id for a in service.attachments_of("work_order", order["id"], kinds=("signed_form",))] == [form]


def test_delete_removes_the_file_on_commit_only(desk):
    order = desk.order()
    att_id = _store(desk, "work_order", order["id"], png_bytes())
    with tenant_scope(desk.handle.id), acting_as("test", desk.id("li")):
        att = service.get_attachment(att_id)
        path = storage.path_of(att.tenant_id, att.storage_key, att.uploaded_at)
        assert path.read_bytes() == png_bytes()
        service.delete(att, by=desk.id("li"))
        db.session.rollback()
        assert path.exists()  # a deletion rolled back keeps the file
        att = service.get_attachment(att_id)
        service.delete(att, by=desk.id("li"))
        db.session.commit()
        assert not path.exists()
        with pytest.raises(NotFound):
            service.get_attachment(att_id)
        with pytest.raises(InvalidInput) as refused:
            service.require(att_id, field="signed_form_id")
        assert refused.value.fields == {"signed_form_id": [f"attachment {att_id} was deleted"]}


def test_an_upload_rolled_back_leaves_no_file(desk):
    order = desk.order()
    with tenant_scope(desk.handle.id), acting_as("test", desk.id("wu")):
        att = service.store("work_order", order["id"], io.BytesIO(png_bytes()), "a.png", kind="photo", by=desk.id("wu"))
        path = storage.path_of(att.tenant_id, att.storage_key, att.uploaded_at)
        assert path.exists()
        db.session.rollback()
        assert not path.exists()
        assert list(path.parent.iterdir()) == []  # no temporary file left either


def test_unknown_or_hidden_subjects(desk):
    with tenant_scope(desk.handle.id), acting_as("test", desk.id("wu")):
        with pytest.raises(InvalidInput) as refused:
            service.store("work_order", 999_999_999, io.BytesIO(png_bytes()), "a.png", kind="photo", by=None)
        assert refused.value.fields == {"subject_id": ["no such work_order"]}
        with pytest.raises(InvalidInput) as refused:
            service.store("spaceship", 1, io.BytesIO(png_bytes()), "a.png", kind="photo", by=None)
        assert list(refused.value.fields) == ["subject_type"]
        with pytest.raises(InvalidInput) as refused:
            service.store("work_order", 1, io.BytesIO(png_bytes()), "a.png", kind="selfie", by=None)
        assert list(refused.value.fields) == ["kind"]
        with pytest.raises(NotFound):
            service.attachments_of("work_order", 999_999_999)
