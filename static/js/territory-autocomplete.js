/*
 * Territory autocomplete: progressive enhancement of the territory inputs of the initiative
 * form (ARIA 1.2 combobox with a listbox popup). Without this script the same inputs work:
 * the server resolves what was typed and offers a list when it is ambiguous.
 *
 * Markup: a container [data-territory-autocomplete="single|multiple"] holding one text input,
 * with data-url (JSON: {results: [{id, label, match}]}, match saying why a code found the
 * territory, e.g. "code postal 33000"), data-pick (id of the server's fallback list,
 * removed once a choice is made here) and either data-target (single: id of the hidden input
 * receiving the territory id) or data-list (multiple: name of the checkboxes added to the
 * [data-territory-list] element).
 *
 * Keyboard: ArrowDown/ArrowUp move in the list, Enter chooses, Escape closes (then clears).
 */
(function () {
  "use strict";

  var MIN_CHARS = 2;
  var DELAY = 200;
  var counter = 0;

  function setup(container) {
    var input = container.querySelector("input[type=text]");
    if (!input || input.getAttribute("role") === "combobox") {
      return;
    }
    counter += 1;
    var mode = container.getAttribute("data-territory-autocomplete");
    var url = container.getAttribute("data-url");
    var listboxId = "territoires-suggestions-" + counter;
    var statusId = "territoires-statut-" + counter;
    var results = [];
    var active = -1;
    var timer = null;
    var controller = null;

    container.style.position = "relative";

    var listbox = document.createElement("ul");
    listbox.id = listboxId;
    listbox.setAttribute("role", "listbox");
    var label = container.querySelector("label");
    if (label) {
      if (!label.id) {
        label.id = input.id + "-label";
      }
      listbox.setAttribute("aria-labelledby", label.id);
    }
    listbox.hidden = true;
    var s = listbox.style;
    s.position = "absolute";
    s.zIndex = "1000";
    s.left = "0";
    s.right = "0";
    s.margin = "0";
    s.padding = "0";
    s.listStyle = "none";
    s.maxHeight = "18rem";
    s.overflowY = "auto";
    s.background = "var(--background-default-grey, #fff)";
    s.border = "1px solid var(--border-default-grey, #ddd)";
    s.boxShadow = "0 4px 12px rgba(0, 0, 18, 0.16)";
    input.insertAdjacentElement("afterend", listbox);

    var status = document.createElement("p");
    status.id = statusId;
    status.className = "fr-sr-only";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    container.appendChild(status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listboxId);
    input.setAttribute("autocomplete", "off");

    function message(name, fallback, value) {
      var text = container.getAttribute("data-msg-" + name) || fallback;
      return text.replace("%s", value === undefined ? "" : value);
    }

    var hidden = mode === "single" ? document.getElementById(container.getAttribute("data-target")) : null;

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var options = listbox.querySelectorAll("[role=option]");
      for (var i = 0; i < options.length; i += 1) {
        var on = i === index;
        options[i].setAttribute("aria-selected", on ? "true" : "false");
        options[i].style.background = on ? "var(--background-action-low-blue-france, #e3e3fd)" : "";
      }
      active = index;
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function render() {
      listbox.textContent = "";
      results.forEach(function (result, index) {
        var option = document.createElement("li");
        option.id = listboxId + "-" + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = result.label;
        if (result.match) {
          // Why a code finds a commune that does not bear it: "code postal 33000".
          var note = document.createElement("span");
          note.className = "fr-text--xs";
          note.textContent = " · " + result.match;
          option.appendChild(note);
        }
        option.style.padding = "0.5rem 0.75rem";
        option.style.cursor = "pointer";
        option.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the input
        });
        option.addEventListener("click", function () {
          choose(index);
        });
        listbox.appendChild(option);
      });
      if (results.length) {
        listbox.hidden = false;
        input.setAttribute("aria-expanded", "true");
        // The page gives both forms, singular and plural, in its language (for 1 and for
        // more: French and English agree on them; none is said by "none").
        var howTo = " Flèches haut et bas pour parcourir, Entrée pour choisir.";
        status.textContent =
          results.length === 1
            ? message("result", "%s territoire proposé." + howTo, 1)
            : message("results", "%s territoires proposés." + howTo, results.length);
      } else {
        close();
        status.textContent = input.value.trim().length >= MIN_CHARS ? message("none", "Aucun territoire ne correspond.") : "";
      }
      highlight(-1);
    }

    function removeFallbackList() {
      var pick = document.getElementById(container.getAttribute("data-pick") || "");
      if (pick) {
        var group = pick.closest(".fr-select-group");
        (group || pick).remove();
      }
    }

    function addCheckbox(result) {
      var listName = container.getAttribute("data-list");
      var list = document.querySelector("[data-territory-list='" + listName + "']");
      if (!list) {
        return;
      }
      var id = "territory-" + result.id;
      if (document.getElementById(id)) {
        document.getElementById(id).checked = true;
        return;
      }
      var empty = list.querySelector("[data-territory-empty]");
      if (empty) {
        empty.remove();
      }
      var group = document.createElement("div");
      group.className = "fr-checkbox-group";
      var box = document.createElement("input");
      box.type = "checkbox";
      box.name = listName;
      box.value = String(result.id);
      box.id = id;
      box.checked = true;
      var boxLabel = document.createElement("label");
      boxLabel.className = "fr-label";
      boxLabel.htmlFor = id;
      boxLabel.textContent = result.label;
      group.appendChild(box);
      group.appendChild(boxLabel);
      list.appendChild(group);
    }

    function choose(index) {
      var result = results[index];
      if (!result) {
        return;
      }
      removeFallbackList();
      if (mode === "single") {
        input.value = result.label;
        if (hidden) {
          hidden.value = String(result.id);
        }
        status.textContent = message("chosen", "%s choisi.", result.label);
      } else {
        addCheckbox(result);
        input.value = "";
        status.textContent = message("added", "%s ajouté aux territoires couverts.", result.label);
      }
      results = [];
      close();
    }

    function search() {
      var query = input.value.trim();
      if (query.length < MIN_CHARS) {
        results = [];
        render();
        return;
      }
      if (controller) {
        controller.abort();
      }
      controller = window.AbortController ? new AbortController() : null;
      fetch(url + "?q=" + encodeURIComponent(query), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: controller ? controller.signal : undefined,
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.json();
        })
        .then(function (data) {
          if (input.value.trim() !== query) {
            return; // the user typed on: a newer request follows
          }
          results = (data && data.results) || [];
          render();
        })
        .catch(function (error) {
          if (error && error.name === "AbortError") {
            return;
          }
          results = [];
          close(); // the server-side resolution still works when the form is sent
        });
    }

    input.addEventListener("input", function () {
      if (hidden) {
        hidden.value = ""; // the text no longer names the territory chosen before
      }
      window.clearTimeout(timer);
      timer = window.setTimeout(search, DELAY);
    });

    input.addEventListener("keydown", function (event) {
      var open = !listbox.hidden && results.length > 0;
      switch (event.key) {
        case "ArrowDown":
          event.preventDefault();
          if (!open) {
            search();
          } else {
            highlight(active + 1 >= results.length ? 0 : active + 1);
          }
          break;
        case "ArrowUp":
          if (open) {
            event.preventDefault();
            highlight(active <= 0 ? results.length - 1 : active - 1);
          }
          break;
        case "Enter":
          if (open && active >= 0) {
            event.preventDefault(); // choose, don't send the form
            choose(active);
          }
          break;
        case "Escape":
          if (open) {
            event.preventDefault();
            close();
          } else if (input.value) {
            event.preventDefault();
            input.value = "";
            if (hidden) {
              hidden.value = "";
            }
          }
          break;
        default:
          break;
      }
    });

    input.addEventListener("blur", function () {
      window.setTimeout(close, 150);
    });
  }

  function init() {
    var containers = document.querySelectorAll("[data-territory-autocomplete]");
    for (var i = 0; i < containers.length; i += 1) {
      setup(containers[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
