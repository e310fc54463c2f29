"""The user guide keeps up with the code: every periodic job of the core is in a jobs table of the
customers guide or of a complaints chapter with its cadence, and every chapter the guide links to exists."""
import re
from pathlib import Path

from core.plugins import core_plugin

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _documented_jobs() -> dict:
    rows = {}
    for path in [DOCS / "customers" / "README.md", *sorted((DOCS / "complaints").glob("*.md"))]:
        rows.update(re.findall(r"^\| `([a-z]+\.[a-z_]+)` \| ([^|]+) \|", path.read_text(encoding="utf-8"), flags=re.M))
    return rows


def test_every_core_periodic_job_is_documented_with_its_cadence():
    rows = _documented_jobs()
    jobs = {job.job for job in core_plugin.kehu_periodic_jobs()}
    assert jobs and jobs <= set(rows), f"undocumented periodic jobs: {sorted(jobs - set(rows))}"


def test_the_customers_guide_links_to_chapters_that_exist():
    text = (DOCS / "customers" / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([a-z-]+\.md)\)", text)
    assert len(links) >= 10
    assert [link for link in links if not (DOCS / "customers" / link).exists()] == []
