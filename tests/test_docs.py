"""The user guide keeps up with the code: every periodic job of the core is in a jobs table of its
module's guide (customers, complaints, staff) with its cadence, and every module guide links to
chapters that exist and leaves none of its chapters unlinked."""
import re
from pathlib import Path

import pytest

from core.plugins import core_plugin

DOCS = Path(__file__).resolve().parents[1] / "docs"

#: the guide folder of each module's jobs
GUIDES = {"cus": "customers", "cmp": "complaints", "stf": "staff", "cal": "complaints", "svc": "service"}  # cal: the deadlines chapter


def _job_rows(folder: str) -> dict:
    rows = {}
    for path in sorted((DOCS / folder).glob("*.md")):
        rows.update(re.findall(r"^\| `([a-z]+\.[a-z_]+)` \| ([^|]+) \|", path.read_text(encoding="utf-8"), flags=re.M))
    return rows


def test_every_core_periodic_job_is_documented_with_its_cadence_in_its_modules_guide():
    jobs = {job.job for job in core_plugin.kehu_periodic_jobs()}
    missing = [job for job in sorted(jobs) if job not in _job_rows(GUIDES[job.split(".")[0]])]
    assert jobs and missing == [], f"undocumented periodic jobs: {missing}"


@pytest.mark.parametrize("folder", sorted(set(GUIDES.values()) | {"portal"}))
def test_each_module_guide_links_to_its_chapters(folder):
    text = (DOCS / folder / "README.md").read_text(encoding="utf-8")
    links = set(re.findall(r"\]\(([a-z-]+\.md)\)", text))
    chapters = {p.name for p in (DOCS / folder).glob("*.md")} - {"README.md"}
    assert chapters and links >= chapters, f"chapters not linked from {folder}/README.md: {sorted(chapters - links)}"
    assert [link for link in links if not (DOCS / folder / link).exists()] == []
