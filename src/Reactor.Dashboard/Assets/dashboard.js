// Reactor dashboard: local time for timestamps, confirmations for actions, live updates over SSE.
(function () {
  "use strict";
  function localTimes(root) {
    root.querySelectorAll("time[datetime]").forEach(function (t) {
      var d = new Date(t.getAttribute("datetime"));
      if (!isNaN(d)) { t.textContent = d.toLocaleString(); }
    });
  }
  function token() {
    var field = document.querySelector("input[name=__RequestVerificationToken]");
    return field ? field.value : null;
  }
  document.addEventListener("submit", function (e) {
    var message = e.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { e.preventDefault(); }
  });
  localTimes(document);
  var main = document.getElementById("live");
  var state = document.getElementById("live-state");
  if (!main || !window.EventSource) { return; }
  var url = main.getAttribute("data-live");
  var source = new EventSource(url + (url.indexOf("?") < 0 ? "?" : "&") + "v=" + encodeURIComponent(main.getAttribute("data-version")));
  source.addEventListener("update", function (e) {
    if (e.lastEventId === main.getAttribute("data-version")) { return; }
    main.setAttribute("data-version", e.lastEventId);
    // Keep the token this page was served with: forms in the update carry the same one.
    main.innerHTML = e.data;
    localTimes(main);
    main.setAttribute("data-updated", String(Date.now()));
    state.textContent = "live";
  });
  source.addEventListener("open", function () { state.textContent = "live"; });
  source.addEventListener("error", function () { state.textContent = "reconnecting…"; });
  window.reactorDashboardToken = token;
})();
