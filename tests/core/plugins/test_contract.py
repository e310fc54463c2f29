"""Contract of the plugin system: every hook documented and tested; tenant hooks only via the relay."""
import re
from pathlib import Path

import pytest

from core.plugins import KehuPlugins, TenantScopeError, hookspecs

ROOT = Path(__file__).resolve().parents[3]
ALL_HOOKS = sorted(hookspecs.GLOBAL_HOOKS | hookspecs.TENANT_HOOKS)


def test_every_hook_has_a_scope_and_a_docstring():
    declared = sorted(n for n in dir(hookspecs) if n.startswith("kehu_"))
    assert declared == ALL_HOOKS
    assert not hookspecs.GLOBAL_HOOKS & hookspecs.TENANT_HOOKS
    for name in ALL_HOOKS:
        assert (getattr(hookspecs, name).__doc__ or "").strip(), name


@pytest.mark.parametrize("hook", ALL_HOOKS)
def test_every_hook_is_documented_in_the_plugin_guide(hook):
    guide = (ROOT / "docs" / "plugin-guide.md").read_text(encoding="utf-8")
    assert re.search(rf"^### {hook}\b", guide, re.M), f"docs/plugin-guide.md has no '### {hook}' section"


@pytest.mark.parametrize("hook", ALL_HOOKS)
def test_every_hook_has_a_test(hook):
    tests = [p for p in (ROOT / "tests").rglob("test_*.py") if p.name != "test_contract.py"]
    assert any(hook in p.read_text(encoding="utf-8") for p in tests), \
        f"no test mentions {hook}"


@pytest.mark.parametrize("hook", sorted(hookspecs.TENANT_HOOKS))
def test_tenant_hook_on_the_global_manager_raises(hook):
    plugins = KehuPlugins(load_entry_points=False)
    with pytest.raises(TenantScopeError):
        getattr(plugins.hook, hook)


def test_no_code_calls_pluggy_hooks_around_the_relay():
    """Only the manager touches pluggy's own hook relay; everything else goes through .hook (global)
    or .for_tenant()/.relay() (tenant)."""
    offenders = []
    for folder in ("core", "plugins", "tenants", "web", "workers"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.name == "manager.py" and path.parent.name == "plugins":
                continue
            text = path.read_text(encoding="utf-8")
            if "_pm.hook" in text or re.search(r"\.hook\.kehu_(?!plugin_info|industry_presets)", text):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
