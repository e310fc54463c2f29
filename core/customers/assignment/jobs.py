"""Jobs of assignment (CUS-33/35)."""
