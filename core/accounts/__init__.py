"""Users of a tenant, their roles, API tokens and passwords."""
