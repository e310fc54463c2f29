"""The plugin's tables, imported together so that they join the metadata when the plugin loads."""
from plugins.real_estate.office_models import Change, FollowUpEntry, Instalment, Plan  # noqa: F401
from plugins.real_estate.reception_models import (  # noqa: F401
    AttributionEvent,
    AttributionOverride,
    MeetingLine,
    MeetingMinutes,
    Reception,
    ReceptionDay,
)
from plugins.real_estate.sales_models import (  # noqa: F401
    Building,
    Contract,
    Deposit,
    Hold,
    Project,
    Subscription,
    Unit,
)
