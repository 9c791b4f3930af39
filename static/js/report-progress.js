/*
 * Progress of the reports being prepared (/pilotage/rapports/): progressive enhancement.
 * Without this script the page offers an "Actualiser la page" link. With it, each pending
 * row polls its etat.json every 2 seconds, updates its <progress> bar and percentage, its
 * status text (an ARIA live region, so only status changes are announced), and shows the
 * download link once the file is ready.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var labels = {
    ready: script ? script.dataset.readyLabel : "Prêt",
    download: script ? script.dataset.downloadLabel : "Télécharger",
    failed: script ? script.dataset.failedLabel : "Échec",
    reload: script ? script.dataset.reloadLabel : "",
  };
  var INTERVAL = 2000;

  function render(row, state) {
    var status = row.querySelector("[data-report-status]");
    var bar = row.querySelector("[data-report-progress]");
    var percent = row.querySelector("[data-report-percent]");
    if (bar) {
      bar.value = state.progress;
      bar.textContent = state.progress + " %";
    }
    if (percent) { percent.textContent = state.progress + " %"; }
    if (!state.finished) {
      // The live region speaks when the status changes, not at every percent.
      if (status && status.textContent !== state.status_label) {
        status.textContent = state.status_label;
      }
      return false;
    }
    if (bar) { bar.remove(); }
    if (percent) { percent.remove(); }
    var cell = row.querySelector("[data-report-file]");
    if (state.status === "done" && state.file_url && cell) {
      if (status) { status.textContent = labels.ready; }
      var link = document.createElement("a");
      link.className = "fr-link fr-icon-download-line fr-link--icon-left";
      link.href = state.file_url;
      link.setAttribute("download", "");
      link.textContent = labels.download;
      cell.replaceChildren(link);
    } else if (status) {
      status.textContent = labels.failed + (state.error ? " : " + state.error : "") +
        (labels.reload ? " " + labels.reload : "");
    }
    return true;
  }

  function poll(row) {
    var url = row.dataset.statusUrl;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (state) {
        if (!render(row, state)) { window.setTimeout(function () { poll(row); }, INTERVAL); }
      })
      .catch(function () {
        // Network hiccup: try again a little later; the "Actualiser" link stays available.
        window.setTimeout(function () { poll(row); }, INTERVAL * 5);
      });
  }

  function start() {
    var rows = document.querySelectorAll("[data-report][data-status-url]");
    Array.prototype.forEach.call(rows, function (row) {
      window.setTimeout(function () { poll(row); }, INTERVAL);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
