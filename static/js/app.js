// Small progressive enhancements; every page works without this file.
// Keep htmx's CSRF header in sync after swaps that replaced the body attributes.
document.addEventListener("htmx:configRequest", function (event) {
  var cookie = document.cookie.split("; ").find(function (c) { return c.indexOf("csrftoken=") === 0; });
  if (cookie) { event.detail.headers["X-CSRFToken"] = cookie.split("=")[1]; }
});
