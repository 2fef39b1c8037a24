// The SPARQL page: an editor (YASQE when the vendor files are installed, else the plain
// textarea), example questions, and results as a table whose /id/ IRIs link to their pages.
// DOM is built with textContent only: result values are data, never markup.
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
    // results stays text.
    var ours = idBase && iri.indexOf(idBase) === 0;
    var term = defBase && iri.indexOf(defBase) === 0;
    if (!ours && !term && !/^https?:\/\//i.test(iri)) {
      return document.createTextNode(iri);
    }
    var a = document.createElement("a");
    // Our own things and our vocabulary are served by this site whatever host the base
    // URI names; a term of the vocabulary by /def/.
    a.href = ours ? "/id/" + iri.slice(idBase.length) :
      term ? "/def/" + iri.slice(defBase.length) : iri;
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
        td.title = term.datatype.replace("http://www.w3.org/2001/XMLSchema#", "xsd:");
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
    var ms = Math.round(performance.now() - started);
    var type = response.headers.get("Content-Type") || "";
    var cut = response.headers.get("X-SPARQL-Truncated");
    var note = cut ? " · " + word("cut") + " " + cut + " " + word("rows") : "";
    // The old answer stays on screen until the new one is ready: no empty flash, and a
    // page the server already rendered (?example=) never shows nothing in between.
    function replace(node) {
      results.className = cut ? "results truncated" : "results";
      results.replaceChildren.apply(results, node ? [node] : []);
    }
    if (type.indexOf("json") >= 0) {
      return response.json().then(function (data) {
        if (typeof data.boolean === "boolean") {
          replace(null);
          say("ASK: " + (data.boolean ? word("yes") : "no (false)") + " · " + ms + " ms");
          return;
        }
        replace(table(data));
        say(data.results.bindings.length + " " + word("rows") + " · " + ms + " ms" + note);
      });
    }
    return response.text().then(function (text) {
      var pre = document.createElement("pre");
      pre.textContent = text;
      replace(pre);
      say(word("graph") + " · " + ms + " ms" + note);
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
