// Small progressive enhancements; every page works without this file.
// Keep htmx's CSRF header in sync after swaps that replaced the body attributes.
document.addEventListener("htmx:configRequest", function (event) {
  var cookie = document.cookie.split("; ").find(function (c) { return c.indexOf("csrftoken=") === 0; });
  if (cookie) { event.detail.headers["X-CSRFToken"] = cookie.split("=")[1]; }
});
// Dot votes: say how many dots are left as the voter types (the server checks it anyway).
function updateDotsLeft(root) {
  (root || document).querySelectorAll("[data-dots]").forEach(function (help) {
    var form = help.closest("form");
    var out = help.querySelector(".dots-left");
    if (!form || !out) { return; }
    var used = 0;
    form.querySelectorAll("input[name^='dots-']").forEach(function (input) { used += parseInt(input.value || "0", 10) || 0; });
    var left = parseInt(help.getAttribute("data-dots"), 10) - used;
    out.textContent = (out.getAttribute("data-label") || "") + " " + left;
    out.classList.toggle("over", left < 0);
  });
}
document.addEventListener("input", function (event) {
  if (event.target.name && event.target.name.indexOf("dots-") === 0) { updateDotsLeft(); }
});
document.addEventListener("DOMContentLoaded", function () { updateDotsLeft(); });
document.addEventListener("htmx:afterSwap", function () { updateDotsLeft(); });
// The proposal form shows only the settings of the kind of vote chosen (all of them without JS).
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("[data-kind-form]");
  var kind = form && form.querySelector("select[name=kind]");
  if (!kind) { return; }
  function show() {
    form.querySelectorAll("[data-kinds]").forEach(function (el) {
      el.hidden = el.getAttribute("data-kinds").split(" ").indexOf(kind.value) === -1;
    });
  }
  kind.addEventListener("change", show);
  show();
});
// Projector mode: the arrow keys follow the links marked with data-key (unless typing).
document.addEventListener("keydown", function (event) {
  var tag = (event.target.tagName || "").toLowerCase();
  if (tag === "input" || tag === "textarea" || tag === "select" || event.altKey || event.ctrlKey || event.metaKey) { return; }
  var link = document.querySelector("a[data-key='" + event.key + "']");
  if (link) { event.preventDefault(); window.location.href = link.href; }
});
