"""Audit trail of every create/update/delete of tenant data (see ``core.audit.recorder``)."""
