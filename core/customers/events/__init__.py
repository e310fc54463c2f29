"""Events, invitations and joint-event lists (DOMAIN.md 3.9, CUS-81..CUS-83).

- :mod:`.rules` — pure rules (effective day, list schedule and checks, arbitration, sale credit) and
  the ``cus.events`` settings schema.
- :mod:`.models` — events, their divisions, invitations and submitted lists.
- :mod:`.service` — the operations (create an event, invite, confirm, submit a list, record an
  attendance or a sale) writing rows and CUS-82/83 decisions.
- :mod:`.penalties` — the late-list fine (CUS-82) in one function.
- :mod:`.jobs` — ``cus.event_list_check``, the nightly check of lists and duplicates.
"""
