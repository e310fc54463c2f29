"""Where attachment files live: ``<root>/<tenant_id>/<yyyy>/<mm>/<storage_key>``.

``root`` is ``KEHU_ATTACHMENTS_PATH`` (default ``<instance>/attachments``). The tenant's id is the first
folder: one tenant's files are never under another's, a tenant export takes its folder, a tenant
erasure removes it. ``storage_key`` is a random token (:func:`new_key`), never derived from anything
the user sent, so a path cannot be steered out of the folder nor guessed.

:func:`save` streams an upload in chunks into a temporary file beside its final place, enforcing the
size cap while it reads (an upload is never held in memory, and never written past the cap), then
renames it into place atomically: a reader never sees half a file. Files written in a transaction
that rolls back are removed; :func:`remove_after_commit` removes files once a deletion commits.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from core.db import db

CHUNK = 64 * 1024
_KEY = re.compile(r"^[0-9a-f]{32}$")
_WRITTEN = "kehu_attachment_files"
_REMOVALS = "kehu_attachment_removals"


class TooLarge(Exception):
    """The stream was longer than the cap; nothing was kept."""


@dataclass(frozen=True)
class Stored:
    key: str
    size: int
    sha256: str
    head: bytes


def root() -> Path:
    configured = current_app.config.get("KEHU_ATTACHMENTS_PATH")
    return Path(configured) if configured else Path(current_app.instance_path) / "attachments"


def tenant_dir(tenant_id: int) -> Path:
    return root() / str(int(tenant_id))


def new_key() -> str:
    return secrets.token_hex(16)


def path_of(tenant_id: int, key: str, at: dt.datetime) -> Path:
    """The file of ``key`` stored at ``at`` (UTC year and month) for the tenant."""
    if not _KEY.fullmatch(key or ""):
        raise ValueError("not a storage key")
    at = at.astimezone(dt.timezone.utc)
    return tenant_dir(tenant_id) / f"{at.year:04d}" / f"{at.month:02d}" / key


def save(tenant_id: int, at: dt.datetime, stream, *, max_bytes: int, check_head=None, head_size: int = 32) -> Stored:
    """Copy ``stream`` (anything with ``read(n)``) to a new file of the tenant. ``check_head(head)`` is
    called with the first ``head_size`` bytes (fewer if the file is shorter) before anything is
    written, and may raise to refuse the file. More than ``max_bytes`` → :class:`TooLarge`, nothing
    kept. The file is removed again if the current transaction rolls back."""
    head = _read_at_least(stream, head_size)
    if check_head is not None:
        check_head(head)
    key = new_key()
    target = path_of(tenant_id, key, at)
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(prefix=".part-", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            chunk = head
            while chunk:
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(size)
                digest.update(chunk)
                out.write(chunk)
                chunk = stream.read(CHUNK)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)  # atomic: the final name only ever holds a whole file
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _written(target)
    return Stored(key=key, size=size, sha256=digest.hexdigest(), head=head)


def _read_at_least(stream, size: int) -> bytes:
    head = b""
    while len(head) < size:
        chunk = stream.read(size - len(head))
        if not chunk:
            break
        head += chunk
    return head


def open_file(tenant_id: int, key: str, at: dt.datetime):
    """The stored file, open for reading in binary; ``FileNotFoundError`` when it is gone."""
    return open(path_of(tenant_id, key, at), "rb")


def _written(path: Path) -> None:
    session = db.session()
    if session.in_transaction():
        session.info.setdefault(_WRITTEN, []).append(path)


def _after_commit(callback) -> None:
    """Run ``callback()`` once the current (root) transaction commits; dropped if it rolls back. Not
    :func:`workers.dispatch.after_commit`: a savepoint's release must not remove files yet."""
    session = db.session()
    if not session.in_transaction():
        callback()
        return
    session.info.setdefault(_REMOVALS, []).append(callback)


@event.listens_for(Session, "after_commit")
def _committed(session):
    if session.in_nested_transaction():  # a savepoint released: the transaction goes on
        return
    session.info.pop(_WRITTEN, None)
    for callback in session.info.pop(_REMOVALS, []):
        callback()


@event.listens_for(Session, "after_rollback")
def _rolled_back(session):
    if session.in_nested_transaction():  # a savepoint rolled back: decided when the transaction ends
        return
    session.info.pop(_REMOVALS, None)
    for path in session.info.pop(_WRITTEN, []):
        Path(path).unlink(missing_ok=True)


@event.listens_for(Session, "after_transaction_end")
def _ended(session, transaction):
    """A root transaction that ended without a commit — closed after an unexpected error, with no
    rollback event — leaves no file behind either."""
    if transaction.parent is not None or transaction.nested:
        return
    session.info.pop(_REMOVALS, None)
    for path in session.info.pop(_WRITTEN, []):
        Path(path).unlink(missing_ok=True)


def remove_after_commit(tenant_id: int, key: str, at: dt.datetime) -> None:
    """Remove the file once the current transaction commits (kept if it rolls back)."""
    path = path_of(tenant_id, key, at)
    _after_commit(lambda: path.unlink(missing_ok=True))


def remove_tenant_after_commit(tenant_id: int) -> None:
    """Remove every file of the tenant once the current transaction commits (tenant erasure)."""
    folder = tenant_dir(tenant_id)
    _after_commit(lambda: shutil.rmtree(folder, ignore_errors=True))


def files_of(tenant_id: int):
    """(relative path, absolute path) of every file kept for the tenant (for the tenant export)."""
    folder = tenant_dir(tenant_id)
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        if path.is_file() and _KEY.fullmatch(path.name):
            yield path.relative_to(folder).as_posix(), path
