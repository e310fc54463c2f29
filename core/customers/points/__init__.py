"""Referrals and points (DOMAIN.md section 3.5, CUS-40..CUS-44), and the customer transactions they
are earned from.

- :mod:`.rules` — the pure rules (settings schema ``cus.points`` / ``cus.referral``).
- :mod:`.models` — referrals, referral attendances, the points ledger, cash referral rewards.
- :mod:`.transactions` — ``record_transaction`` (purchases, refunds, shipments, collections,
  prepayments), the one create path of :class:`~core.customers.models.CustomerTransaction`.
- :mod:`.referrals` — CUS-40: recording a referral and deciding the referee's owner.
- :mod:`.ledger` — CUS-41: the append-only ledger (balance, spend, reversal).
- :mod:`.awards` — CUS-42 attendance points, CUS-43 purchase points and refund reversals, CUS-44 cash
  rewards (``award_attendance``, ``deal_recognised``, ``deal_reversed``).
"""
