// The SPARQL page: an editor (YASQE when the vendor files are installed, else the plain
// textarea), example questions, and results: YASR (a table with paging, sorting and a
// filter; the raw response) when its vendor files are installed, else our own table.
// Both follow one rule: /id/ IRIs show their ?xLabel and link to their pages, vocabulary
// terms to /def/, literals without ^^datatype (the type on hover), javascript:/data: IRIs
// as text. Our own table is built with textContent only; YASR's cells are HTML strings
// (DataTables sets innerHTML), so every value in them goes through escapeHtml().
(function () {
  "use strict";

  var form = document.getElementById("sparql-form");
  if (!form) { return; }
  var textarea = document.getElementById("query");
  var exampleSelect = document.getElementById("example");
  var statusLine = document.getElementById("status");
  var results = document.getElementById("results");
  var idBase = form.getAttribute("data-id-base") || "";
  var defBase = form.getAttribute("data-def-base") || "";
  var examples = {};
  try {
    JSON.parse(document.getElementById("examples-data").textContent).forEach(function (e) {
      examples[e.name] = e.text;
    });
  } catch (err) { examples = {}; }
  var prefixes = {};
  try {
    prefixes = JSON.parse(document.getElementById("prefixes-data").textContent);
  } catch (err) { prefixes = {}; }

  // The editor: YASQE (syntax highlighting, prefix and keyword completion) or the textarea.
  var editor = {
    get: function () { return textarea.value; },
    set: function (text) { textarea.value = text; }
  };
  var Yasqe = window.Yasqe && (window.Yasqe.default || window.Yasqe);
  if (Yasqe && typeof Yasqe.fromTextArea === "function") {
    try {
      var yasqe = Yasqe.fromTextArea(textarea, {
        persistenceId: null,
        showQueryButton: false,
        resizeable: true
      });
      editor = {
        get: function () { return yasqe.getValue(); },
        set: function (text) { yasqe.setValue(text); }
      };
    } catch (err) { /* keep the textarea */ }
  }

  // The page's words in its language, from data attributes the template fills in.
  function word(name) { return form.getAttribute("data-" + name) || name; }

  function say(text, isError) {
    statusLine.textContent = text;
    statusLine.className = isError ? "status error" : "status";
  }

  function link(iri, label) {
    // Only our own IRIs and http(s) ones become links: a javascript: or data: IRI in the
    // results stays text. Our own things and our vocabulary are served by this site
    // whatever host the base URI names (hrefFor).
    var href = hrefFor(iri);
    if (!href) { return document.createTextNode(iri); }
    var a = document.createElement("a");
    a.href = href;
    a.textContent = label || iri;
    if (label) { a.title = iri; }
    return a;
  }

  // A label for the IRI in variable v, when the row has one (?xLabel or ?x_label, the
  // way Wikidata's query service names them).
  function labelFor(row, v) {
    var named = row[v + "Label"] || row[v + "_label"];
    return named && named.type !== "uri" && named.type !== "bnode" ? named.value : "";
  }

  function cell(term, label) {
    var td = document.createElement("td");
    if (!term) { return td; }
    if (term.type === "uri") {
      td.appendChild(link(term.value, label));
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
    } else {
      td.appendChild(document.createTextNode(term.value));
      // The datatype shows on hover only: "95" reads better than "95"^^xsd:integer.
      if (term.datatype) {
        td.title = shortType(term.datatype);
      }
      if (term["xml:lang"]) {
        var span = document.createElement("span");
        span.className = "tag";
        span.textContent = " @" + term["xml:lang"];
        td.appendChild(span);
      }
    }
    return td;
  }

  // The href our rule gives an IRI, or "" when it must stay text.
  function hrefFor(iri) {
    if (idBase && iri.indexOf(idBase) === 0) { return "/id/" + iri.slice(idBase.length); }
    if (defBase && iri.indexOf(defBase) === 0) { return "/def/" + iri.slice(defBase.length); }
    return /^https?:\/\//i.test(iri) ? iri : "";
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c];
    });
  }

  function shortType(datatype) {
    return datatype.replace("http://www.w3.org/2001/XMLSchema#", "xsd:");
  }

  var NUMERIC = /#(integer|decimal|double|float|int|long|short|byte|nonNegativeInteger|positiveInteger|nonPositiveInteger|negativeInteger|unsignedInt|unsignedLong|unsignedShort|unsignedByte)$/;

  // YASR's table (DataTables) with our rendering rule: each variable column's cells drawn
  // by render(), the datatype as the cell's title, numbers sorted as numbers.
  function adaptYasrTable(Table) {
    var original = Table.prototype.getColumns;
    function label(term) {
      return term && term.type !== "uri" && term.type !== "bnode" ? term.value : "";
    }
    function render(labelColumn) {
      return function (term, kind, row) {
        if (term === "" || !term) { return ""; }
        var named = labelColumn > 0 ? label(row[labelColumn]) : "";
        if (kind === "sort" || kind === "type") {
          var n = term.datatype && NUMERIC.test(term.datatype) ? Number(term.value) : NaN;
          return isFinite(n) ? n : (named || term.value);
        }
        if (kind === "filter") { return named ? named + " " + term.value : term.value; }
        if (kind !== "display") { return term.value; }
        var html;
        if (term.type === "uri") {
          var href = hrefFor(term.value);
          html = href ? "<a href=\"" + escapeHtml(href) + "\"" +
            (named ? " title=\"" + escapeHtml(term.value) + "\"" : "") + ">" +
            escapeHtml(named || term.value) + "</a>" : escapeHtml(term.value);
        } else if (term.type === "bnode") {
          html = escapeHtml("_:" + term.value);
        } else {
          html = escapeHtml(term.value);
          if (term["xml:lang"]) {
            html += "<span class=\"tag\"> @" + escapeHtml(term["xml:lang"]) + "</span>";
          }
        }
        // YASR's ellipsis handler measures the cell's first element's first element.
        return "<div><span>" + html + "</span></div>";
      };
    }
    // YASR's words are English; the page's language comes in #yasr-words.
    var words = {};
    try {
      words = JSON.parse(document.getElementById("yasr-words").textContent);
    } catch (err) { words = {}; }
    var language = Table.defaults.tableConfig.language;
    ["info", "infoEmpty", "infoFiltered", "zeroRecords"].forEach(function (key) {
      if (words[key]) { language[key] = words[key]; }
    });
    if (words.infoEmpty) { language.emptyTable = words.infoEmpty; }
    var drawControls = Table.prototype.drawControls;
    Table.prototype.drawControls = function () {
      drawControls.call(this);
      var controls = this.tableControls;
      if (!controls) { return; }
      function text(selector, value) {
        var el = controls.querySelector(selector);
        if (el && value) { el.textContent = value; }
      }
      var switches = controls.querySelectorAll(".switch .label");
      if (switches[0] && words.simple) { switches[0].textContent = words.simple; }
      if (switches[1] && words.ellipsis) { switches[1].textContent = words.ellipsis; }
      text(".pageSizerLabel", words.pageSize);
      text(".tableSizer option[value='-1']", words.all);
      var filter = controls.querySelector(".tableFilter");
      if (filter && words.filter) {
        filter.placeholder = words.filter;
        filter.setAttribute("aria-label", words.filter);
      }
    };
    Table.prototype.getColumns = function () {
      var columns = original.call(this);
      var vars = this.yasr.results ? this.yasr.results.getVariables() : [];
      return columns.map(function (column, i) {
        if (i === 0) { return column; }  // the row number
        var v = vars[i - 1];
        var at = vars.indexOf(v + "Label");
        if (at < 0) { at = vars.indexOf(v + "_label"); }
        column.render = render(at < 0 ? -1 : at + 1);
        // Headers left-aligned, numbers too: the resizer narrows each column a little
        // after measuring it, and a right-aligned header would lose its first letters.
        column.className = "dt-head-left";
        column.createdCell = function (td, term) {
          if (term && term.type !== "uri" && term.type !== "bnode" && term.datatype) {
            td.title = shortType(term.datatype);
          }
        };
        return column;
      });
    };
  }

  // yasr.min.js sets window.Yasr to the class (its ES module build exports it as default).
  var Yasr = window.Yasr && (window.Yasr.plugins ? window.Yasr : window.Yasr.default);
  var yasr = null;
  var yasrRoot = null;
  if (Yasr && Yasr.plugins && Yasr.plugins.table) {
    try {
      adaptYasrTable(Yasr.plugins.table);
      yasrRoot = document.createElement("div");
      yasrRoot.className = "yasr-root";
    } catch (err) { yasrRoot = null; }
  }

  // The view buttons (Table, Response) in the page's language.
  function relabelViews() {
    var words = {};
    try {
      words = JSON.parse(document.getElementById("yasr-words").textContent);
    } catch (err) { return; }
    [["table", words.table], ["response", words.response]].forEach(function (pair) {
      var label = yasrRoot.querySelector(".select_" + pair[0] + " span");
      if (label && pair[1]) { label.textContent = pair[1]; }
    });
  }

  // Draws an answer with YASR; false when YASR is missing or failed (then our table).
  function drawWithYasr(text, type, status, ms) {
    if (!yasrRoot) { return false; }
    try {
      if (yasrRoot.parentNode !== results) { results.replaceChildren(yasrRoot); }
      if (!yasr) {
        yasr = new Yasr(yasrRoot, {
          persistenceId: null,
          prefixes: prefixes,
          pluginOrder: ["table", "response"],
          defaultPlugin: "table"
        });
        relabelViews();
      }
      yasr.setResponse({ data: text, contentType: type, status: status, executionTime: ms }, ms);
      relabelViews();
      return true;
    } catch (err) {
      yasrRoot = null;
      return false;
    }
  }

  function table(data) {
    var t = document.createElement("table");
    var head = t.createTHead().insertRow();
    data.head.vars.forEach(function (v) {
      var th = document.createElement("th");
      th.textContent = v;
      head.appendChild(th);
    });
    var body = t.createTBody();
    data.results.bindings.forEach(function (row) {
      var tr = body.insertRow();
      data.head.vars.forEach(function (v) { tr.appendChild(cell(row[v], labelFor(row, v))); });
    });
    return t;
  }

  function show(response, started) {
    var type = response.headers.get("Content-Type") || "";
    var cut = response.headers.get("X-SPARQL-Truncated");
    var note = cut ? " · " + word("cut") + " " + cut + " " + word("rows") : "";
    // The old answer stays on screen until the new one is ready: no empty flash, and a
    // page the server already rendered (?example=) never shows nothing in between.
    function replace(node) {
      results.replaceChildren.apply(results, node ? [node] : []);
    }
    return response.text().then(function (text) {
      var ms = Math.round(performance.now() - started);
      var data = type.indexOf("json") >= 0 ? JSON.parse(text) : null;
      var ask = data && typeof data.boolean === "boolean";
      results.className = cut ? "results truncated" : "results";
      if (!drawWithYasr(text, type, response.status, ms)) {
        if (ask) {
          replace(null);
        } else if (data) {
          replace(table(data));
        } else {
          var pre = document.createElement("pre");
          pre.textContent = text;
          replace(pre);
        }
      }
      if (ask) {
        say("ASK: " + (data.boolean ? word("yes") : "no (false)") + " · " + ms + " ms");
      } else if (data) {
        say(data.results.bindings.length + " " + word("rows") + " · " + ms + " ms" + note);
      } else {
        say(word("graph") + " · " + ms + " ms" + note);
      }
    });
  }

  function run() {
    var query = editor.get();
    var started = performance.now();
    say(word("running"));
    fetch(form.getAttribute("action"), {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json, text/turtle;q=0.9"
      },
      body: "query=" + encodeURIComponent(query)
    }).then(function (response) {
      if (response.ok) { return show(response, started); }
      return response.text().then(function (text) {
        var message = text;
        try { message = JSON.parse(text).error; } catch (err) { /* plain text */ }
        results.textContent = "";
        say("Error " + response.status + ": " + message, true);
      });
    }).catch(function (err) { say("Error: " + err, true); });
  }

  exampleSelect.addEventListener("change", function () {
    if (examples[exampleSelect.value]) { editor.set(examples[exampleSelect.value]); }
  });
  form.addEventListener("submit", function (event) {
    if (event.submitter && event.submitter.id === "download") {
      textarea.value = editor.get();  // a plain GET with format= downloads the file
      return;
    }
    event.preventDefault();
    run();
  });
  if (form.getAttribute("data-autorun") === "true") { run(); }
}());
