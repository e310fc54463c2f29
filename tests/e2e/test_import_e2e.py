"""Importing customers in a real browser: upload a file on /data, watch the progress bar on the job
page move to 100% while the import runs in a background thread, then read the summary and find the
row-error report to download (screenshots in test-artifacts/).

The test app runs jobs inline (a job has ended before the upload's redirect is answered). Here the
jobs go to the embedded backend instead: a worker thread inside the app process, as in
``KEHU_JOBS_MODE=embedded``. It holds the import until the browser shows the job page, the way a busy
worker would, so the page is seen while the job waits and runs; the bar is then driven by portal.js
polling the job-status endpoint, and the file is big enough (several progress steps of 2,000 rows)
for the job to take a while."""
import re
import threading
import time

import pytest

from tests.helpers import PASSWORD
from workers.backends import EmbeddedBackend

ROWS = 8000


class HeldBackend(EmbeddedBackend):
    """The embedded worker thread, holding what is submitted until ``let_go()``."""

    def __init__(self):
        super().__init__()
        self.released = threading.Event()
        self.held = []

    def submit(self, *args, **kwargs):
        if not self.released.is_set():
            self.held.append((args, kwargs))
            return None
        return super().submit(*args, **kwargs)

    def let_go(self):
        self.released.set()
        for args, kwargs in self.held:
            super().submit(*args, **kwargs)
        self.held.clear()


@pytest.fixture
def embedded_jobs(ctx):
    inline = ctx.extensions["kehu_jobs"]
    backend = ctx.extensions["kehu_jobs"] = HeldBackend()
    yield backend
    backend.let_go()
    backend.join(timeout=120)
    backend._queue.put(None)  # the worker thread ends
    ctx.extensions["kehu_jobs"] = inline


def _file(tmp_path):
    lines = ["姓名,手机,区县,备注"]
    lines += [f"客户{i:05d},139{i:08d},朝阳区,批量导入" for i in range(1, ROWS + 1)]
    lines += [",13700000001,,没有姓名", "张伟,12345678901,,手机号无效"]  # rows ROWS + 2 and ROWS + 3
    path = tmp_path / "客户名单.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def test_import_with_a_progress_bar_in_chromium(live_server, page, two_tenants, embedded_jobs, artifacts_dir,
                                                tmp_path):
    page.goto(f"{live_server}/t/tenant-a/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/t/tenant-a/")
    page.click("nav.main a[data-nav=jobs]")
    page.wait_for_url(f"{live_server}/t/tenant-a/data")
    assert page.locator("h1").inner_text() == "导入导出"
    page.screenshot(path=str(artifacts_dir / "e2e-imports-index.png"), full_page=True)
    # a file of the wrong type first: the form again, with the message at its field
    wrong = tmp_path / "客户.txt"
    wrong.write_text("姓名\n李娜\n", encoding="utf-8")
    page.set_input_files("#customer-import input[type=file]", str(wrong))
    page.click("#customer-import button[type=submit]")
    assert page.locator("#e-file").inner_text() == "请上传.csv或.xlsx文件"
    page.screenshot(path=str(artifacts_dir / "e2e-imports-bad-file.png"), full_page=True)

    page.set_input_files("#customer-import input[type=file]", str(_file(tmp_path)))
    page.click("#customer-import button[type=submit]")
    page.wait_for_url(re.compile(r".*/t/tenant-a/jobs/\d+$"))
    bar = page.locator(".job progress")
    assert bar.is_visible()
    assert page.locator(".job").get_attribute("data-status") == "queued"
    assert page.locator(".job-state").inner_text() == "排队中"
    page.screenshot(path=str(artifacts_dir / "e2e-imports-job-waiting.png"), full_page=True)

    embedded_jobs.let_go()  # the worker takes the job; the page polls its status
    seen, shot = [], False
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if page.locator("#job-result").count():
                break
            state = page.eval_on_selector(".job", "b => [b.dataset.status, b.querySelector('progress').value, "
                                                  "b.querySelector('.job-step').textContent]")
        except Exception:  # noqa: BLE001 - the page reloads itself when the job has ended
            continue
        if not seen or seen[-1] != state:
            seen.append(state)
        if state[0] == "started" and 0 < state[1] < 100 and not shot:
            page.screenshot(path=str(artifacts_dir / "e2e-imports-job-running.png"), full_page=True)
            shot = True
        time.sleep(0.05)
    page.wait_for_selector("#job-result")
    print("progress seen by the page:", seen)
    percents = [s[1] for s in seen]
    assert percents == sorted(percents), seen  # the bar only moves forward
    assert seen[0][0] == "queued"
    assert any(status == "started" and 0 < percent < 100 for status, percent, _step in seen), seen  # moving
    assert page.locator(".job progress").evaluate("p => p.value") == 100
    assert page.locator(".job-percent").inner_text() == "100%"
    assert page.locator(".job").get_attribute("data-status") == "finished"
    figures = {f.get_attribute("data-figure"): f.locator("b").inner_text()
               for f in page.locator("#job-result .figure").all()}
    assert figures == {"rows": str(ROWS + 2), "imported": str(ROWS), "failed": "2", "warnings": "0"}
    link = page.locator("#job-result a", has_text="错误行报告")
    assert link.is_visible() and re.search(r"/t/tenant-a/data/jobs/\d+/report$", link.get_attribute("href"))
    page.screenshot(path=str(artifacts_dir / "e2e-imports-job-finished.png"), full_page=True)
    with page.expect_download() as download:
        link.click()
    report = download.value.path().read_bytes()
    assert report.startswith(b"\xef\xbb\xbf") and f"{ROWS + 2},error,name".encode() in report
