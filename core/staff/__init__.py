"""Staff accountability (DOMAIN.md section 6, STF): the ledger of penalties, rewards and HR flags
(:mod:`core.staff.ledger`), its settings (:mod:`core.staff.policy`), and what builds on it."""
