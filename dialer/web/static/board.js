// Refresh the waiting-callers table every few seconds without reloading the page.
(function () {
  var table = document.getElementById("board");
  var body = document.getElementById("board-rows");
  var stamp = document.getElementById("refreshed");
  if (!table || !body) { return; }
  var url = table.getAttribute("data-rows-url");
  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) {
        if (r.redirected || !r.ok) { throw new Error("HTTP " + r.status); }
        return r.text();
      })
      .then(function (html) {
        body.innerHTML = html;
        stamp.textContent = "已刷新 " + new Date().toLocaleTimeString("zh-CN", { hour12: false }) + " · 每 3 秒自动刷新";
      })
      .catch(function () { stamp.textContent = "刷新失败，稍后重试"; });
  }
  window.setInterval(refresh, 3000);
}());
