"""Users belong to one tenant and hold roles; API tokens are stored hashed and bound to one user."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, ForeignKeyConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import JSONType, TenantOwned, TenantScoped, UTCDateTime, db, utcnow


AVAILABILITY = ("on_duty", "off_duty", "leave", "company_business", "with_customer")  # CAL-11


class Department(TenantScoped, db.Model):
    """A department of the tenant (部门 / 事业部), in a tree by ``parent_id``. ``head_user_id`` is the
    department head (部门经理): the approver and recipient of the department's reminders."""

    __tablename__ = "departments"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name"),
        ForeignKeyConstraint(["tenant_id", "parent_id"], ["departments.tenant_id", "departments.id"]),
    )

    name: Mapped[str] = mapped_column(String(100))
    parent_id: Mapped[int | None] = mapped_column(BigInteger)
    head_user_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class User(TenantScoped, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("tenant_id", "username"),
        ForeignKeyConstraint(["tenant_id", "department_id"], ["departments.tenant_id", "departments.id"]),
    )
    __audit_exclude__ = {"password_hash"}

    username: Mapped[str] = mapped_column(String(100))
    display_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    password_hash: Mapped[str | None] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    department_id: Mapped[int | None] = mapped_column(BigInteger)
    team: Mapped[str | None] = mapped_column(String(100))
    #: CAL-11 availability now: on_duty, off_duty, leave, company_business, with_customer
    availability: Mapped[str] = mapped_column(String(30), default="on_duty")
    availability_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="select"
    )

    @property
    def roles(self) -> list[str]:
        return sorted(r.role for r in self.role_rows)

    def has_role(self, *roles: str) -> bool:
        mine = {r.role for r in self.role_rows}
        return bool(mine.intersection(roles))


class UserRole(TenantOwned, db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "user_id"], ["users.tenant_id", "users.id"]),
    )

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    role: Mapped[str] = mapped_column(String(50), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")


class ApiToken(TenantScoped, db.Model):
    __tablename__ = "api_tokens"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "user_id"], ["users.tenant_id", "users.id"]),
    )
    __audit_exclude__ = {"token_hash"}

    user_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list] = mapped_column(JSONType, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)
    tenant = relationship("Tenant", lazy="joined", innerjoin=True, viewonly=True)
