"""Per-tenant, versioned, effective-dated policy documents (see ``core.policy.service``)."""
