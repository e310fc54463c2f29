// Live duplicate warnings on the new-customer form (CUS-13). The page works without this script:
// submitting shows the same warnings and asks to confirm. With it, /customers/duplicates is asked
// (GET, the typed values) when a field is left or after a pause in typing, and the answer is shown
// under the form before submitting.
(function () {
  "use strict";
  var form = document.getElementById("customer-form");
  if (!form || !form.dataset.duplicatesUrl) return;
  var box = document.getElementById("duplicate-warnings");
  var watched = ["kind", "name", "phones.0.number", "phones.1.number", "resident_id", "uscc", "birth_date", "district"];
  var timer = null, last = "", seq = 0;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text) node.textContent = text;
    return node;
  }

  function link(item) {
    var label = "#" + item.existing_id + (item.name ? " " + item.name : "");
    if (!item.url) return el("span", "", label);
    var a = el("a", "", label);
    a.href = item.url;
    a.target = "_blank";
    return a;
  }

  function show(answer) {
    box.textContent = "";
    box.dataset.live = "1";
    if (answer.exact) {
      var ex = el("div", "error duplicates exact live");
      ex.setAttribute("role", "alert");
      var p = el("p");
      p.appendChild(el("b", "", form.dataset.exactTitle || "CUS-13"));
      p.appendChild(document.createTextNode(" " + answer.exact.reason + " "));
      p.appendChild(link(answer.exact));
      ex.appendChild(p);
      box.appendChild(ex);
    }
    if (answer.warnings && answer.warnings.length) {
      var div = el("div", "warning duplicates likely live");
      div.setAttribute("role", "alert");
      div.appendChild(el("p", "", form.dataset.likelyTitle || "CUS-13"));
      var ul = el("ul");
      answer.warnings.forEach(function (w) {
        var li = el("li");
        li.dataset.existing = w.existing_id;
        li.appendChild(link(w));
        li.appendChild(document.createTextNode(" " + w.reason));
        ul.appendChild(li);
      });
      div.appendChild(ul);
      box.appendChild(div);
    }
  }

  function check() {
    var params = new URLSearchParams();
    watched.forEach(function (name) {
      var input = form.elements[name];
      if (input && input.value.trim()) params.append(name, input.value.trim());
    });
    var query = params.toString();
    if (query === last) return;
    last = query;
    var mine = ++seq;
    fetch(form.dataset.duplicatesUrl + "?" + query, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (answer) { if (answer && mine === seq) show(answer); })
      .catch(function () { /* the server check on submit still applies */ });
  }

  watched.forEach(function (name) {
    var input = form.elements[name];
    if (!input) return;
    input.addEventListener("blur", check);
    input.addEventListener("change", check);
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(check, 500);
    });
  });
})();
