// Shows, as the person types, which of the cooperative's password rules are met.
// The server checks everything again; this only helps.
(function () {
  "use strict";
  var box = document.getElementById("password-rules");
  var password = document.getElementById("new_password");
  var confirm = document.getElementById("confirm");
  if (!box || !password || !confirm) { return; }
  var list = box.querySelector(".checklist");
  var rules = box.dataset;
  var tests = {
    length: function (v) { return Array.from(v).length >= Number(rules.minLength); },
    lower: function (v) { return /\p{Ll}/u.test(v); },
    upper: function (v) { return /\p{Lu}/u.test(v); },
    digit: function (v) { return /\p{Nd}/u.test(v); },
    special: function (v) { return /[^\p{L}\p{N}\s]/u.test(v); },
    match: function (v) { return v.length > 0 && v === confirm.value; }
  };
  function update() {
    list.hidden = false;
    list.querySelectorAll("li").forEach(function (item) {
      var ok = tests[item.dataset.check](password.value);
      item.classList.toggle("met", ok);
      item.classList.toggle("unmet", !ok);
    });
  }
  password.addEventListener("input", update);
  confirm.addEventListener("input", update);
})();
