"""The penalty sections of the ``stf`` policy document, joined (STF-02/03, STF-10..14, STF-23): see
:mod:`.catalog_settings`, :mod:`.repeats_settings`, :mod:`.corrections_settings` and
:mod:`.flags_settings`."""
from __future__ import annotations

from core.staff.catalog_settings import CatalogPolicySchema
from core.staff.corrections_settings import CorrectionPolicySchema
from core.staff.flags_settings import FlagsPolicySchema
from core.staff.repeats_settings import RepeatsPolicySchema


class PenaltyPolicySchema(
    CatalogPolicySchema,
    RepeatsPolicySchema,
    CorrectionPolicySchema,
    FlagsPolicySchema,
):
    """``stf.catalog``, ``.points``, ``.doubling``, ``.ladders``, ``.correction``, ``.flags``."""
