"""The plugin's portal pages: one Flask blueprint per part (reception, attribution, sales control,
changes, reports), mounted under ``/t/<slug>/`` by the core (``kehu_portal_pages``), 404 for tenants
without the plugin. Templates live in ``plugins/real_estate/templates/re/<part>/``, their texts'
Chinese in ``plugins/real_estate/translations/zh_Hans/<part>.po``."""
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
TEMPLATES = str(PACKAGE / "templates")
TRANSLATIONS = str(PACKAGE / "translations")
#: who manages the sales office: sees everyone's receptions, sets the day's order, decides attributions
OFFICE_MANAGERS = ("sales_manager", "sales_supervisor", "dept_manager", "gm", "tenant_admin")
