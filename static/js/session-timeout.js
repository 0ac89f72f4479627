// Warns before the idle timeout ends the session, and renews it on request.
// The server enforces the timeout; this only tells the person in time.
(function () {
  "use strict";
  var body = document.body;
  var idle = parseInt(body.dataset.idleSeconds || "0", 10);
  var warnBefore = parseInt(body.dataset.warningSeconds || "0", 10);
  var warning = document.getElementById("idle-warning");
  var stay = document.getElementById("idle-stay");
  var tokenMeta = document.querySelector('meta[name="csrf-token"]');
  if (!idle || !warning || !stay || !tokenMeta) {
    return;
  }
  var warnTimer = null;
  var endTimer = null;

  function schedule() {
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    warning.hidden = true;
    warnTimer = window.setTimeout(function () {
      warning.hidden = false;
      stay.focus();
    }, Math.max(idle - warnBefore, 0) * 1000);
    endTimer = window.setTimeout(function () {
      window.location.assign(body.dataset.loginUrl);
    }, idle * 1000);
  }

  stay.addEventListener("click", function () {
    fetch(body.dataset.keepaliveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": tokenMeta.getAttribute("content") },
    }).then(function (response) {
      if (response.ok) {
        schedule();
      } else {
        window.location.assign(body.dataset.loginUrl);
      }
    });
  });

  schedule();
})();
