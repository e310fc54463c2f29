// Work-order intake: a new type shows its own fields at once (without JavaScript: the button beside the type).
(function () {
  "use strict";
  var type = document.querySelector("select[name=type]");
  var retype = document.querySelector("button[data-retype]");
  if (type && retype) type.addEventListener("change", function () { retype.click(); });
})();
