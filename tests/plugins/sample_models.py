"""The sample plugin's own table: a tenant table that migrates with its plugin."""
from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantScoped, db


class SampleReading(TenantScoped, db.Model):
    __tablename__ = "sample_readings"
    __table_args__ = (UniqueConstraint("tenant_id", "meter"),)  # the natural key of an effect

    meter: Mapped[str] = mapped_column(String(50))
    value: Mapped[int] = mapped_column(Integer)
