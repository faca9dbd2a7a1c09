// Follows an annual report build: updates the progress bar, the state badge and the message
// from the JSON status (the bar is the one place that shows the percentage), and reloads
// the page once the build has finished. Without JavaScript the page has a "Refresh" link.
(function () {
  "use strict";
  var box = document.querySelector("[data-build-status]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-build-status");
  var bar = box.querySelector("progress");
  var percent = box.querySelector("[data-build-percent]");
  var message = box.querySelector("[data-build-message]");
  var badge = box.querySelector("[data-build-badge]");
  var refresh = box.querySelector(".no-js-refresh");
  if (refresh) { refresh.hidden = true; }
  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (status) {
        var shown = status.progress_text || status.progress + "%";
        if (bar) { bar.value = status.progress; bar.textContent = shown; }
        if (percent) { percent.textContent = shown; }
        if (message && message.textContent !== status.message) { message.textContent = status.message; }
        var label = badge && badge.getAttribute("data-label-" + status.state);
        if (label && badge.textContent !== label) { badge.textContent = label; }
        if (status.active) { window.setTimeout(poll, 1000); } else { window.location.reload(); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
