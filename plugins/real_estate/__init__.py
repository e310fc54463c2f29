"""The real-estate plugin (spec section 7, RE): the sales office (售楼部) from the first visit to the signed
contract — reception rotation, attribution (判客) and commission splits, units and sales control (销控),
changes after the deal, the office's reports.

Built only through the core's hooks and this package: a plugin developer needs no change to the core.
Pure rules (``*_rules.py``) are functions of (settings, facts) → outcome + reason, tested without a
database; the ``re`` policy document (``policy.py``) holds every setting of the spec with its default.
"""
