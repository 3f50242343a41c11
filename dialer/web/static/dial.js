// Refresh the progress of an agent's call (拨打) every two seconds until it has ended. Only the progress panel
// is replaced, never the page: answers being ticked in the form beside it are never lost.
(function () {
  var panel = document.getElementById("dial-progress");
  if (!panel) { return; }
  var url = panel.getAttribute("data-url");
  var timer = null;
  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) {
        if (r.redirected || !r.ok) { throw new Error("HTTP " + r.status); }
        return r.text();
      })
      .then(function (html) {
        var box = document.createElement("div");
        box.innerHTML = html;
        var fresh = box.firstElementChild;
        if (!fresh) { return; }
        panel.replaceWith(fresh);
        panel = fresh;
        if (fresh.getAttribute("data-live") !== "1") { window.clearInterval(timer); }
      })
      .catch(function () {
        var note = document.getElementById("dial-refreshed");
        if (note) { note.textContent = "刷新失败，稍后重试"; }
      });
  }
  if (panel.getAttribute("data-live") === "1") { timer = window.setInterval(refresh, 2000); }
}());
