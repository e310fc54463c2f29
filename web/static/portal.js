// Kehu portal: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  // forms that ask before they act
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
  });
  // job progress bars: poll the job-status endpoint until the job has ended, then reload the page
  function watch(box) {
    var url = box.getAttribute("data-job-status");
    function poll() {
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.json(); })
        .then(function (job) {
          var bar = box.querySelector("progress");
          if (job.percent !== null && job.percent !== undefined) {
            bar.value = job.percent;
            box.querySelector(".job-percent").textContent = job.percent + "%";
          }
          box.querySelector(".job-state").textContent = job.status_label || job.status;
          box.querySelector(".job-step").textContent = job.step || "";
          box.setAttribute("data-status", job.status);
          if (job.status === "finished" || job.status === "failed") {
            if (box.getAttribute("data-reload") === "1") {
              window.setTimeout(function () { window.location.reload(); }, 400);
            }
          } else {
            window.setTimeout(poll, 700);
          }
        })
        .catch(function () { window.setTimeout(poll, 2000); });
    }
    poll();
  }
  document.querySelectorAll(".job[data-job-status]").forEach(function (box) {
    var status = box.getAttribute("data-status");
    if (status !== "finished" && status !== "failed") watch(box);
  });
})();
