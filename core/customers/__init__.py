"""Customers (spec CUS). Pure rule modules (``*_rules.py``, ``identity.py``) decide; service modules
(to come) load facts, call them, store outcomes and their decisions."""
