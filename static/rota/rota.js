// Rota's small enhancements; every page works without them.
(function () {
  "use strict";

  function countryZones() {
    var node = document.getElementById("country-zones");
    return node ? JSON.parse(node.textContent) : {};
  }

  // Browsers (ICU) still report some zones by their old names; prefer the current IANA name.
  var LEGACY_ZONES = {
    "Asia/Calcutta": "Asia/Kolkata", "Asia/Katmandu": "Asia/Kathmandu",
    "Asia/Saigon": "Asia/Ho_Chi_Minh", "Asia/Rangoon": "Asia/Yangon",
    "Europe/Kiev": "Europe/Kyiv", "Atlantic/Faeroe": "Atlantic/Faroe",
    "America/Godthab": "America/Nuuk", "Asia/Ulan_Bator": "Asia/Ulaanbaatar",
    "Pacific/Truk": "Pacific/Chuuk", "Pacific/Ponape": "Pacific/Pohnpei",
    "Pacific/Enderbury": "Pacific/Kanton", "America/Buenos_Aires": "America/Argentina/Buenos_Aires"
  };

  function browserZone() {
    var zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
    return LEGACY_ZONES[zone] || zone;
  }

  // Schedules: tell the server the browser's zone (a cookie), so a visitor who is not signed
  // in reads times in their own zone. A page that had to guess is reloaded once, only when
  // the cookie was really stored (no loop when cookies are off).
  function rememberBrowserZone() {
    var zone = browserZone();
    if (!/^[A-Za-z0-9_+\/-]{1,64}$/.test(zone)) return;
    var name = "rota_browser_zone=";
    var had = document.cookie.split("; ").indexOf(name + zone) !== -1;
    if (had) return;
    document.cookie = name + zone + "; path=/; max-age=31536000; SameSite=Lax";
    var stored = document.cookie.split("; ").indexOf(name + zone) !== -1;
    if (stored && zone !== "UTC" && document.querySelector("[data-zone-guessed]")) {
      window.location.reload();
    }
  }

  // Time zone: pre-fill from the browser's own zone, and list the chosen country's zones first.
  function setUpZonePicker() {
    var input = document.querySelector("[data-zone-input]");
    var list = document.getElementById("time-zones");
    if (!input || !list) return;
    var byCountry = countryZones();
    var all = Array.prototype.map.call(list.options, function (o) { return o.value; });
    var country = document.querySelector("[data-country-select]");

    var prefill = input.closest("[data-zone-prefill]");
    if (prefill && !input.value) {
      var zone = browserZone();
      if (all.indexOf(zone) !== -1) {
        input.value = zone;
        if (country && !country.value) {
          Object.keys(byCountry).some(function (code) {
            if (byCountry[code].indexOf(zone) !== -1) { country.value = code; return true; }
            return false;
          });
        }
      }
    }

    function reorder() {
      var first = (country && byCountry[country.value]) || [];
      var rest = all.filter(function (z) { return first.indexOf(z) === -1; });
      var fragment = document.createDocumentFragment();
      first.concat(rest).forEach(function (z) {
        var option = document.createElement("option");
        option.value = z;
        if (first.indexOf(z) !== -1) option.label = z + " (your country)";
        fragment.appendChild(option);
      });
      list.replaceChildren(fragment);
    }
    if (country) {
      country.addEventListener("change", function () {
        reorder();
        var first = byCountry[country.value] || [];
        if (first.length === 1 && input.value !== first[0]) input.value = first[0];
      });
    }
    reorder();
  }

  // Working hours: "Add a window" clones the formset's empty row.
  function setUpFormsets() {
    document.querySelectorAll("[data-formset]").forEach(function (set) {
      var prefix = set.getAttribute("data-formset");
      var total = set.querySelector("#id_" + prefix + "-TOTAL_FORMS");
      var template = set.querySelector("template[data-empty-row]");
      var rows = set.querySelector("[data-rows]");
      var button = set.querySelector("[data-add-row]");
      if (!total || !template || !rows || !button) return;
      button.addEventListener("click", function () {
        var index = parseInt(total.value, 10);
        var html = template.innerHTML.replace(/__prefix__/g, String(index));
        var holder = document.createElement("div");
        holder.innerHTML = html.trim();
        var row = holder.firstElementChild;
        rows.appendChild(row);
        total.value = String(index + 1);
        var first = row.querySelector("select, input");
        if (first) first.focus();
      });
    });
  }

  // Swap form: the people who can be named depend on the duty. Picking another duty fetches
  // the form for that duty and swaps in its list of people, in place: focus stays on the duty
  // select, so a keyboard user can keep pressing the arrow keys (a change event fires on each
  // one). Without JavaScript the "Choose this duty" button re-renders the page instead.
  function setUpDutyChooser() {
    var form = document.querySelector("[data-swap-form]");
    if (!form) return;
    var select = form.querySelector("select[name=duty]");
    var target = form.querySelector("select[name=target]");
    var choose = form.querySelector("[data-choose-duty]");
    var status = form.querySelector("[data-target-status]");
    if (!select || !target || !choose || !window.fetch || !window.DOMParser) return;
    choose.hidden = true;
    var latest = 0;
    select.addEventListener("change", function () {
      var asked = ++latest;
      var url = form.getAttribute("action") + "?duty=" + encodeURIComponent(select.value);
      target.setAttribute("aria-busy", "true");
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.text();
        })
        .then(function (html) {
          if (asked !== latest) return;  // a later choice is on its way
          var fresh = new DOMParser().parseFromString(html, "text/html")
            .querySelector("[data-swap-form] select[name=target]");
          if (!fresh) throw new Error("no list of people");
          target.replaceChildren.apply(target, Array.prototype.slice.call(fresh.options).map(
            function (option) { return document.importNode(option, true); }));
          target.removeAttribute("aria-busy");
          if (status) {
            var people = target.options.length - 1;
            status.textContent = people === 1 ? "1 person can be asked for this duty."
              : people + " people can be asked for this duty.";
          }
        })
        .catch(function () {
          if (asked !== latest) return;
          target.removeAttribute("aria-busy");
          choose.hidden = false;  // fall back to the page reload
          if (status) status.textContent = "Press “Choose this duty” to list the people for it.";
        });
    });
  }

  // A time input has a stop for its hours, its minutes (and AM/PM) in Chromium: one Tab
  // stop per input instead, so Tab moves to the next field; the arrow keys still move
  // between the parts and change them.
  function tabbables() {
    var selector = "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden])," +
      " select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";
    return Array.prototype.filter.call(document.querySelectorAll(selector), function (node) {
      return node.tabIndex >= 0 && node.getClientRects().length > 0 && !node.closest("[hidden], template");
    });
  }
  function setUpTimeInputs() {
    document.addEventListener("keydown", function (event) {
      var input = event.target;
      if (event.key !== "Tab" || event.altKey || event.ctrlKey || event.metaKey) return;
      if (!(input instanceof HTMLInputElement) || input.type !== "time") return;
      var all = tabbables();
      var next = all[all.indexOf(input) + (event.shiftKey ? -1 : 1)];
      if (!next) return;
      event.preventDefault();
      next.focus();
    });
  }

  // Enter on a checkbox submits its form, as Enter in a text field does.
  function setUpCheckboxEnter() {
    document.addEventListener("keydown", function (event) {
      var box = event.target;
      if (event.key !== "Enter" || !(box instanceof HTMLInputElement)) return;
      if ((box.type !== "checkbox" && box.type !== "radio") || !box.form) return;
      event.preventDefault();
      if (box.form.requestSubmit) box.form.requestSubmit(); else box.form.submit();
    });
  }

  // Error summary: it takes focus when the page shows it, so a screen reader reads it and the
  // next Tab reaches its links; each link moves focus to its field (a plain #link would only
  // scroll there).
  function setUpErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) return;
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) return;
      var node = document.getElementById(link.getAttribute("href").slice(1));
      if (!node) return;
      var field = node.matches("input, select, textarea") ? node : node.querySelector("input, select, textarea");
      if (!field) return;
      event.preventDefault();
      var label = document.querySelector("label[for='" + field.id + "']");
      (label || field).scrollIntoView({ block: "center" });
      field.focus({ preventScroll: true });
    });
  }

  // A working-hours row that was blank looks blank until something is filled in.
  function setUpEmptyRows() {
    document.addEventListener("input", function (event) {
      var row = event.target.closest && event.target.closest(".hours-row.is-empty");
      if (row) row.classList.remove("is-empty");
    });
  }

  // Buttons that undo something ask first: <form data-confirm="Question?">. Revoking a feed
  // link cannot be undone and stops every calendar subscribed to it, so it asks too.
  var REVOKE_QUESTION = "Revoke this feed link? Calendar apps subscribed to it stop updating, " +
    "and the link cannot be used again.";
  function setUpConfirm() {
    document.querySelectorAll("form input[name=action][value=revoke]").forEach(function (input) {
      if (!input.form.hasAttribute("data-confirm")) input.form.setAttribute("data-confirm", REVOKE_QUESTION);
    });
    document.addEventListener("submit", function (event) {
      var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
      if (question && !window.confirm(question)) event.preventDefault();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    rememberBrowserZone();
    setUpZonePicker();
    setUpFormsets();
    setUpDutyChooser();
    setUpTimeInputs();
    setUpCheckboxEnter();
    setUpErrorSummary();
    setUpEmptyRows();
    setUpConfirm();
  });
})();

// The rota settings form shows the settings of the chosen kind only (all of them without JS).
(function () {
  var form = document.querySelector("[data-rota-form]");
  if (!form) return;
  var kind = form.querySelector("[name=kind]");
  function show() {
    form.querySelectorAll("fieldset[data-kinds]").forEach(function (set) {
      set.hidden = set.getAttribute("data-kinds").split(" ").indexOf(kind.value) < 0;
    });
  }
  kind.addEventListener("change", show);
  show();
})();
