"""The user guide keeps up with the code: every periodic job of the core is in a jobs table of its
module's guide with its cadence, and every chapter the customers guide links to exists."""
import re
from pathlib import Path

from core.plugins import core_plugin

DOCS = Path(__file__).resolve().parents[1] / "docs"


#: the guide folder of each module's jobs
GUIDES = {"cus": "customers", "cmp": "complaints", "stf": "staff"}


def test_every_core_periodic_job_is_documented_with_its_cadence():
    """Each job in a jobs table (`| `name` | cadence |`) of its module's guide (docs/<module>/*.md)."""
    jobs = {job.job for job in core_plugin.kehu_periodic_jobs()}
    rows = {}
    for folder in set(GUIDES.values()):
        for path in sorted((DOCS / folder).glob("*.md")):
            rows.update(re.findall(r"^\| `([a-z]+\.[a-z_]+)` \| ([^|]+) \|", path.read_text(encoding="utf-8"), flags=re.M))
    documented = {name for name in rows if GUIDES.get(name.split(".")[0])}
    assert jobs and jobs <= documented, f"undocumented periodic jobs: {sorted(jobs - documented)}"


def test_the_customers_guide_links_to_chapters_that_exist():
    text = (DOCS / "customers" / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([a-z-]+\.md)\)", text)
    assert len(links) >= 10
    assert [link for link in links if not (DOCS / "customers" / link).exists()] == []
