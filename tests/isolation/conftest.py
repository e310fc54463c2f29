"""The cross-tenant suites run with every optional plugin enabled for both tenants, so that the
plugins' own pages, endpoints and jobs are walked with real data, not answered 404 for being off."""
import pytest

OPTIONAL_PLUGINS = ["real_estate"]  # (the sample plugin requires a meter number on every complaint)


@pytest.fixture
def two_tenants(make_tenant):
    return (make_tenant("tenant-a", "甲公司", plugins=OPTIONAL_PLUGINS),
            make_tenant("tenant-b", "乙公司", plugins=OPTIONAL_PLUGINS))
