"""The customer archive (DOMAIN.md 3.1): the archive record with contacts, addresses, vocabularies and
extra fields of the tenant and its plugins (CUS-01), the paper archive and handover log (CUS-02),
required-document checklists (CUS-03), filing deadlines (CUS-04) and the confirmation signature
(CUS-06).

Pure rules: :mod:`.requirements` (CUS-01), :mod:`.checklist_rules` (CUS-03), :mod:`.filing_rules`
(CUS-04); settings: :mod:`.settings`; tables: :mod:`.models`; services: :mod:`.record`,
:mod:`.extra_fields`, :mod:`.checklists`, :mod:`.paper`, :mod:`.filing`; jobs: :mod:`.jobs`.
"""
