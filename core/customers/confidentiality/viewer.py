"""Who is looking at customers (CUS-70): the viewer of the running request.

The web layer sets the viewer once per request (:func:`enter_viewer`, where it sets the tenant and
user); :mod:`core.customers.service` (``get_customer``, ``search``) then shows only the customers
the viewer may see (:mod:`.access`). The core never reads Flask objects: it reads this context.

Code with no viewer — jobs, CLI commands, system code — is not restricted. Code inside a request
that must see every customer of the tenant (e.g. a look-up that reveals nothing to the caller) says
so with :func:`unrestricted`, which takes a reason, like :func:`core.tenancy.unscoped`.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Viewer:
    """A user as the visibility rules see them. ``writing``: the request changes something (a
    view-only grant then does not count, CUS-72)."""

    user_id: int | None
    roles: frozenset[str]
    department_id: int | None = None
    writing: bool = False
    cache: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    @classmethod
    def of(cls, user, *, writing: bool = False) -> "Viewer":
        if user is None:
            return cls(None, frozenset(), None, writing)
        return cls(user.id, frozenset(user.roles), user.department_id, writing)


_viewer: ContextVar[Viewer | None] = ContextVar("kehu_viewer", default=None)
_unrestricted: ContextVar[str | None] = ContextVar("kehu_viewer_unrestricted", default=None)


def current_viewer() -> Viewer | None:
    """The viewer whose visibility applies now; ``None`` = no restriction (system, or unrestricted)."""
    if _unrestricted.get() is not None:
        return None
    return _viewer.get()


def request_viewer() -> Viewer | None:
    """The viewer of the request, even inside :func:`unrestricted` (who acts, for logs and rights)."""
    return _viewer.get()


def enter_viewer(viewer: Viewer):
    """Set the viewer for the rest of a request; returns a token for :func:`leave_viewer`."""
    return _viewer.set(viewer)


def leave_viewer(token) -> None:
    _viewer.reset(token)


@contextmanager
def viewer_scope(viewer: Viewer | None):
    """Run the block as ``viewer`` (``None``: as the system)."""
    token = _viewer.set(viewer)
    try:
        yield viewer
    finally:
        _viewer.reset(token)


@contextmanager
def unrestricted(reason: str):
    """Run the block without the viewer's visibility restriction (the reason makes it greppable)."""
    if not reason:
        raise ValueError("unrestricted() needs a reason")
    token = _unrestricted.set(reason)
    try:
        yield
    finally:
        _unrestricted.reset(token)
