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

  // Swap form: the people who can be named depend on the duty, so picking another duty
  // presses the form's "Choose" button, which re-renders the form with that duty's people
  // (and keeps the message typed so far).
  function setUpDutyChooser() {
    var form = document.querySelector("[data-swap-form]");
    if (!form) return;
    var select = form.querySelector("select[name=duty]");
    var choose = form.querySelector("[data-choose-duty]");
    if (!select || !choose) return;
    choose.hidden = true;
    select.addEventListener("change", function () { choose.click(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    rememberBrowserZone();
    setUpZonePicker();
    setUpFormsets();
    setUpDutyChooser();
  });
})();
