// The runner list: every runner of the roster is in #roster-data (one JSON array); rows are drawn
// as they are needed, so a roster of 100,000 opens quickly. Nothing is fetched.
(function () {
  "use strict";
  var PAGE = 100;
  var tables = JSON.parse(document.getElementById("roster-tables").textContent);
  var runners = JSON.parse(document.getElementById("roster-data").textContent);
  var table = JSON.parse(document.getElementById("roster-strings").textContent);
  var phrases = JSON.parse(document.getElementById("roster-phrases").textContent);
  var ROW = 0, ID = 1, SCORE = 2, BAND = 3, URG = 4, TO = 5, FIRED = 6, READS = 7, RECS = 8, NA = 9, DERIVED = 10,
    PART = 11;
  var CHANGE = 12; // [band change, score change, newly referred] since the runner's previous stored screening, or null
  var POINTS = 13, CAPS = 14; // each fired rule's points for this runner; [group, carried, counted] per cap
  var STAGE = 15; // the soleus programme: "stage 1" to "stage 4", "withheld", or "" (no programme)
  var GROUP = 16; // the runner's group (squad) from the roster's group column, or "" (none given)
  // A runner's phrase is the text itself, or a number in its partition's phrases, each of which is
  // the text itself or (for phrases shared across the roster) a number in the string table.
  var text = function (y) { return typeof y === "number" ? table[y] : y; };
  var phrase = function (r, x) { return typeof x === "number" ? text(phrases[r[PART]][x]) : x; };
  var byRow = new Map();
  runners.forEach(function (r, i) { byRow.set(r[ROW], i); });
  var $ = function (id) { return document.getElementById(id); };
  var list = $("list"), status = $("status"), more = $("more"), earlier = $("earlier");
  var controls = ["q", "sort", "band", "group", "stage", "urgency", "rule", "na", "score", "change"].map($).filter(Boolean);
  var shown = [], lo = 0, hi = 0, expanded = false;

  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function urgencyName(u) { return u < 0 ? "no referral" : tables.urgencies[u]; }
  function rank(r) { return r[URG] + 1; } // no referral 0, routine 1, soon 2, urgent 3

  var sorts = {
    "urgency": function (a, b) { return rank(b) - rank(a) || b[SCORE] - a[SCORE] || a[ROW] - b[ROW]; },
    "score-desc": function (a, b) { return b[SCORE] - a[SCORE] || a[ROW] - b[ROW]; },
    "score-asc": function (a, b) { return a[SCORE] - b[SCORE] || a[ROW] - b[ROW]; },
    "row": function (a, b) { return a[ROW] - b[ROW]; },
    "id": function (a, b) { return a[ID] < b[ID] ? -1 : a[ID] > b[ID] ? 1 : a[ROW] - b[ROW]; }
  };

  function matching() {
    var q = $("q").value.trim().toLowerCase(), band = $("band").value, urg = $("urgency").value;
    var rule = $("rule").value, na = $("na").value, stage = $("stage").value, score = $("score").value;
    var b = band === "" ? null : +band, u = urg === "" ? null : +urg, ru = rule === "" ? null : +rule;
    var range = score ? score.split("-").map(Number) : null, ch = $("change") ? $("change").value : "";
    var group = $("group") ? $("group").value : "";
    return runners.filter(function (r) {
      return (b === null || r[BAND] === b) && (u === null || r[URG] === u) && (!stage || r[STAGE] === stage) &&
        (!group || r[GROUP] === group) &&
        (!range || (r[SCORE] >= range[0] && r[SCORE] <= range[1])) && (!ch || changeIs(r, ch)) &&
        (ru === null || r[FIRED].indexOf(ru) >= 0) &&
        (na === "" || (na === "some") === (r[NA].length > 0)) &&
        (!q || r[ID].toLowerCase().indexOf(q) >= 0);
    }).sort(sorts[$("sort").value] || sorts.urgency);
  }

  function reasons(r) {
    var titles = [];
    r[FIRED].forEach(function (i) { if (tables.rules[i].concern) titles.push(tables.rules[i].title); });
    return titles.length ? titles.join("; ") : "no rule that adds risk fired";
  }

  // The change since the runner's previous stored screening (a run with --store), as a badge.
  function change(r) {
    var c = r[CHANGE];
    if (!c) return "";
    if (c[0] === "first") return ' <span class="change first">first stored screening</span>';
    var score = (c[1] > 0 ? "+" : "") + c[1];
    var html = c[0] === "same" ? ' <span class="change same">score ' + score + " since last</span>" :
      ' <span class="change ' + c[0] + '">band ' + c[0] + " (score " + score + ")</span>";
    return html + (c[2] ? ' <span class="change new-referral">new referral</span>' : "");
  }

  // The change filter's values: "up", "down", "same" or "first" (the band since last), or "new" (a new referral).
  function changeIs(r, value) {
    var c = r[CHANGE];
    return !!c && (value === "new" ? c[2] === 1 : c[0] === value);
  }

  // The summary's "changed since last" line, counted from the runners' records (a stored run only).
  function countChanges() {
    var line = $("changes-counts");
    if (!line) return;
    var n = { up: 0, down: 0, "new": 0, first: 0 };
    runners.forEach(function (r) {
      var c = r[CHANGE];
      if (!c) return;
      if (c[0] in n) n[c[0]] += 1;
      if (c[2]) n["new"] += 1;
    });
    var part = function (count, value, words) {
      var label = count.toLocaleString("en") + " " + words;
      return count ? '<a href="#filter-change-' + value + '" aria-label="' + label + ': show them">' + label + "</a>" : label;
    };
    line.innerHTML = part(n.up, "up", "up a band") + ", " + part(n.down, "down", "down a band") + ", " +
      part(n["new"], "new", "with a new referral") + ", " + part(n.first, "first", "screened for the first time");
  }

  function summary(r) {
    var band = tables.bands[r[BAND]], cls = r[URG] === 2 ? "urgent" : band;
    var referral = r[URG] < 0 ? "<span>no referral</span>" :
      '<span class="badge ' + tables.urgencies[r[URG]] + '">' + tables.urgencies[r[URG]] + "</span> to " + esc(r[TO]);
    return '<details class="runner ' + cls + '" id="runner-' + r[ROW] + '"' + (expanded ? " open" : "") + ">" +
      '<summary><span>row ' + r[ROW] + '</span> <span class="id">' + esc(r[ID]) + "</span> " +
      (r[GROUP] ? '<span class="group">' + esc(r[GROUP]) + "</span> " : "") +
      '<span class="badge ' + band + '">' + band + " " + r[SCORE] + "</span>" + change(r) + " " + referral +
      (r[STAGE] ? ' <span class="programme">programme: ' + esc(r[STAGE]) + "</span>" : "") +
      ' <span class="reasons">' + esc(reasons(r)) + "</span></summary>" +
      '<div class="body">' + (expanded ? body(r) : "") + "</div></details>";
  }

  // A rule's points for this runner (a tapering rule's vary); none: it refers, or is information.
  function pointsText(rule, points) {
    if (points) return (points > 0 ? "+" : "") + points;
    return rule.refers ? "refers" : "information";
  }

  function body(r) {
    var html = "";
    if (r[FIRED].length) {
      html += '<table class="rules stack"><thead><tr><th>Rule that fired</th><th class="num">Points</th>' +
        "<th>What it read</th><th>Evidence [grade]</th></tr></thead><tbody>";
      r[FIRED].forEach(function (i, k) {
        var rule = tables.rules[i], ev = rule.evidence.map(function (e) {
          return "<p>" + esc(e[0]) + " [" + esc(e[1]) + "]</p>";
        }).join("") || "design choice";
        html += '<tr><td data-label="Rule">' + esc(rule.title) + "<br><code>" + esc(rule.id) + "</code></td>" +
          '<td class="num" data-label="Points">' + pointsText(rule, r[POINTS][k]) + "</td>" +
          '<td data-label="What it read">' + esc(phrase(r, r[READS][k])) + "</td>" +
          '<td class="evidence" data-label="Evidence">' + ev + "</td></tr>";
      });
      html += "</tbody></table>";
      r[CAPS].forEach(function (cap) {
        html += '<p class="note">The ' + esc(cap[0]) + " rules carry " + cap[1] + " points and count " + cap[2] +
          " (capped): score " + r[SCORE] + ".</p>";
      });
    } else {
      html += "<p>No rule fired.</p>";
    }
    if (r[RECS].length) {
      html += "<h3>Recommendations</h3><ol>" + r[RECS].map(function (i) {
        return "<li>" + esc(tables.recommendations[i]) + "</li>";
      }).join("") + "</ol>";
    }
    if (r[NA].length) {
      html += "<h3>Not assessed (missing data, not assumed normal)</h3><ul class=\"plain\">";
      for (var n = 0; n < r[NA].length; n += 2) {
        html += "<li>" + esc(tables.rules[r[NA][n]].title) + ": needs " + esc(phrase(r, r[NA][n + 1])) + "</li>";
      }
      html += "</ul>";
    }
    return html + '<p class="note">' + esc(r[DERIVED].map(function (x) { return phrase(r, x); }).join("; ")) + "</p>";
  }

  function draw() {
    list.innerHTML = shown.slice(lo, hi).map(summary).join("");
    earlier.hidden = lo === 0;
    more.hidden = hi >= shown.length;
    drawStatus();
  }

  function refresh() {
    shown = matching();
    lo = 0;
    hi = Math.min(PAGE, shown.length);
    draw();
  }

  function extend(count) {
    var start = hi;
    hi = Math.min(hi + count, shown.length);
    list.insertAdjacentHTML("beforeend", shown.slice(start, hi).map(summary).join(""));
    more.hidden = hi >= shown.length;
    drawStatus();
  }
  function drawStatus() {
    var total = runners.length;
    status.textContent = (shown.length === total ? "All " + total.toLocaleString("en") + " runners" :
      shown.length.toLocaleString("en") + " of " + total.toLocaleString("en") + " runners match") +
      (shown.length ? "; showing " + (lo + 1).toLocaleString("en") + "-" + hi.toLocaleString("en") + "." : ".");
  }

  // The filters set, in words ("band high; referral soon"): for the print and the download.
  function filtersInWords() {
    return controls.filter(function (c) { return c.id !== "sort" && c.value !== ""; }).map(function (c) {
      var name = c.labels[0].firstChild.textContent.trim().toLowerCase();
      return name + " " + (c.tagName === "SELECT" ? c.options[c.selectedIndex].text : '"' + c.value + '"');
    }).join("; ");
  }

  // "Download these runners": the runners that match the filters, in the list's order, as a CSV file in words.
  function csvCell(value) {
    var v = String(value);
    if (/^[\s]*[=+\-@]/.test(v) || /^[\t\r]/.test(v)) v = "'" + v; // never read as a spreadsheet formula
    return /[",\r\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
  }
  function changeInWords(r) {
    var c = r[CHANGE];
    if (!c) return "";
    if (c[0] === "first") return "first stored screening";
    var score = "score " + (c[1] > 0 ? "+" : "") + c[1];
    return (c[0] === "same" ? "same band, " + score : "band " + c[0] + ", " + score) + (c[2] ? ", new referral" : "");
  }
  function notAssessedInWords(r) {
    var items = [];
    for (var n = 0; n < r[NA].length; n += 2) items.push(tables.rules[r[NA][n]].title + ": needs " + phrase(r, r[NA][n + 1]));
    return items.join("; ");
  }
  function download() {
    var stored = !!$("change");
    var grouped = !!$("group");
    var head = ["row", "runner id"].concat(grouped ? ["group"] : [], ["score", "band", "referral", "refer to", "programme"])
      .concat(stored ? ["change since last"] : [], ["why (rules that raised concern)", "not assessed (missing data)"]);
    var lines = [head.join(",")].concat(shown.map(function (r) {
      var referral = r[URG] < 0 ? "no referral" : tables.urgencies[r[URG]];
      return [r[ROW], r[ID]].concat(grouped ? [r[GROUP]] : [], [r[SCORE], tables.bands[r[BAND]], referral,
        r[URG] < 0 ? "" : r[TO], r[STAGE]])
        .concat(stored ? [changeInWords(r)] : [], [reasons(r), notAssessedInWords(r) || "every rule assessed"])
        .map(csvCell).join(",");
    }));
    var link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([lines.join("\r\n") + "\r\n"], { type: "text/csv;charset=utf-8" }));
    link.download = "runners.csv";
    document.body.appendChild(link);
    link.click();
    link.remove();
    $("download-note").textContent = "Downloaded runners.csv: " + count(shown.length) + " runner" +
      (shown.length === 1 ? "" : "s") + (filtersInWords() ? " (" + filtersInWords() + ")." : " (no filter).");
  }

  function clearFilters() {
    controls.forEach(function (c) { c.value = c.id === "sort" ? "urgency" : ""; });
  }

  function openRunner(row) {
    var index = byRow.get(row);
    if (index === undefined) return false;
    var at = shown.indexOf(runners[index]);
    if (at < 0) { clearFilters(); shown = matching(); at = shown.indexOf(runners[index]); }
    if (at < lo || at >= hi) { lo = at; hi = Math.min(at + PAGE, shown.length); draw(); }
    var element = $("runner-" + row), b = element.querySelector(".body");
    if (!b.firstChild) b.innerHTML = body(runners[index]);
    element.open = true;
    element.scrollIntoView();
    element.querySelector("summary").focus();
    return true;
  }

  function follow() {
    var hash = decodeURIComponent(location.hash.slice(1)), m;
    if ((m = /^runner-(\d+)$/.exec(hash))) return openRunner(+m[1]);
    if ((m = /^filter-(stage|score|change)-(.+)$/.exec(hash))) m = [hash, m[1], m[2]];
    else m = /^filter-(rule|urgency|band)-(-?\d+)$/.exec(hash);
    if (m) {
      clearFilters();
      $(m[1]).value = m[2];
      refresh();
      $("runners").scrollIntoView();
      return true;
    }
    return false;
  }

  list.addEventListener("toggle", function (event) {
    var details = event.target, b = details.querySelector(".body");
    if (details.open && !b.firstChild) b.innerHTML = body(runners[byRow.get(+details.id.slice(7))]);
  }, true);
  controls.forEach(function (c) { c.addEventListener(c.id === "q" ? "input" : "change", refresh); });
  $("find").addEventListener("submit", function (event) {
    event.preventDefault();
    clearFilters();
    $("q").value = $("find-q").value;
    refresh();
    $("runners").scrollIntoView();
  });
  more.addEventListener("click", function () { extend(PAGE); });
  earlier.addEventListener("click", function () { lo = Math.max(0, lo - PAGE); draw(); });
  $("reset").addEventListener("click", function () { clearFilters(); refresh(); });
  $("expand").addEventListener("click", function () {
    expanded = !expanded;
    this.textContent = expanded ? "Collapse all" : "Expand all";
    draw();
  });
  if ("IntersectionObserver" in window) {
    new IntersectionObserver(function (entries) {
      if (entries[0].isIntersecting && hi < shown.length) extend(PAGE);
    }).observe(more);
  }
  // At most this many runners are drawn for a print (the section's data-print-max): more would not lay out.
  function printMax() { return +$("runners").getAttribute("data-print-max"); }
  function count(n) { return n.toLocaleString("en"); }
  function preparePrint() {
    var upTo = Math.min(shown.length, lo + printMax()); // every match, or as many as a print draws
    if (hi < upTo) extend(upTo - hi);
    var filters = filtersInWords();
    $("print-note").textContent = (hi < shown.length || lo > 0 ?
      "Printed: runners " + count(lo + 1) + "-" + count(hi) + " of the " + count(shown.length) + " that match" :
      "Printed: the " + count(shown.length) + " runners that match") +
      (filters ? " (" + filters + ")" : " (no filter)") + (expanded ? ", expanded." : ".");
  }
  window.addEventListener("beforeprint", preparePrint);
  window.addEventListener("afterprint", function () { document.body.classList.remove("print-runners"); });
  // "Print these runners": the list alone, every matching runner drawn first; asks first when more match
  // than a print draws, saying how many will print.
  $("print-these").addEventListener("click", function () {
    var will = Math.min(shown.length - lo, printMax());
    if (shown.length - lo > will && !window.confirm(count(shown.length) + " runners match; " + count(will) +
        " will print (runners " + count(lo + 1) + "-" + count(lo + will) + "). Narrow the filters to print the rest. Print?")) {
      return;
    }
    document.body.classList.add("print-runners");
    preparePrint();
    window.print();
  });
  $("download").addEventListener("click", download);
  window.addEventListener("hashchange", follow);
  countChanges();
  refresh();
  follow();
})();
