// The "upgrading from X to Y" view of the release notes. Vanilla JS, no build step.
// It reads releases/<product>.json (see helpdesk/releases/export.py, whose upgrade_notes()
// is the reference for what is shown) and lists, for the releases in (installed, target]:
// upgrade actions first, then known issues still open in the target, then security
// changes, new features, fixes and deprecations. Loaded on every page (the engine's
// instant navigation swaps pages without reloading scripts), it acts only where the page
// holds a [data-hd-upgrade] element. ?from=X&to=Y in the address preselects versions, so
// an agent can paste a link to a specific upgrade.
(function () {
  "use strict";
  var ORDER = ["upgrade", "known_issues", "security", "features", "fixes", "deprecations"];
  var TITLES = {
    upgrade: "Before you upgrade",
    known_issues: "Known issues still open in the new version",
    security: "Security",
    features: "New features",
    fixes: "Fixes",
    deprecations: "Deprecations"
  };

  function notesBetween(data, installed, target) {
    var byVersion = {};
    data.releases.forEach(function (r) { byVersion[r.version] = r; });
    var low = byVersion[installed].order, high = byVersion[target].order;
    var between = data.releases.filter(function (r) {
      return r.order > low && r.order <= high && r.status !== "withdrawn";
    });
    var seen = {}, out = [];
    ORDER.forEach(function (section) {
      var sources = section === "known_issues" ? [byVersion[target]] : between;
      sources.forEach(function (release) {
        release.notes.forEach(function (note) {
          var key = note.origin + "\u0000" + note.id;
          if (note.section === section && !seen[key]) {
            seen[key] = true;
            out.push(note);
          }
        });
      });
    });
    return out;
  }

  function el(tag, className, html) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (html !== undefined) node.innerHTML = html;
    return node;
  }

  // The page's words (data-hd-strings, in the page's language) over these English ones.
  var WORDS = {
    choose_newer: "Choose a newer version to upgrade to.",
    nothing: "Nothing to do: no notes between these versions.",
    workaround: "Workaround",
    workaround_inferred: "Workaround to try (not confirmed by PassportScan)",
    from_version: "From version",
    not_loaded: "The list of changes could not be loaded; every version is listed below."
  };

  function localize(root) {
    var words = {};
    try { words = JSON.parse(root.getAttribute("data-hd-strings") || "{}"); } catch (e) { words = {}; }
    Object.keys(words).forEach(function (key) {
      if (key in TITLES) TITLES[key] = words[key];
      if (key in WORDS) WORDS[key] = words[key];
    });
  }

  function render(result, data, installed, target) {
    result.textContent = "";
    var low = null, high = null;
    data.releases.forEach(function (r) {
      if (r.version === installed) low = r.order;
      if (r.version === target) high = r.order;
    });
    if (low === null || high === null || low >= high) {
      result.appendChild(el("p", "hd-rn-empty", WORDS.choose_newer));
      return;
    }
    var notes = notesBetween(data, installed, target);
    if (!notes.length) {
      result.appendChild(el("p", "hd-rn-empty", WORDS.nothing));
    }
    ORDER.forEach(function (section) {
      var inSection = notes.filter(function (n) { return n.section === section; });
      if (!inSection.length) return;
      var block = el("section", "hd-rn-section hd-rn-" + section);
      block.setAttribute("data-section", section);
      block.appendChild(el("h2", null, TITLES[section]));
      inSection.forEach(function (note) {
        var item = el("div", "hd-rn-note", note.html);
        item.setAttribute("data-note", note.id);
        if (note.workaround) {
          var label = note.workaround.inferred ? WORDS.workaround_inferred : WORDS.workaround;
          item.appendChild(el("div", "admonition tip",
            '<p class="admonition-title">' + label + "</p>" + note.workaround.html));
        }
        var meta = el("p", "hd-meta");
        var link = el("a");
        link.textContent = WORDS.from_version + " " + note.origin;
        link.href = note.url;
        meta.appendChild(link);
        note.articles.forEach(function (article) {
          meta.appendChild(document.createTextNode(" · "));
          var a = el("a");
          a.textContent = article.title;
          a.href = article.url;
          meta.appendChild(a);
        });
        item.appendChild(meta);
        block.appendChild(item);
      });
      result.appendChild(block);
    });
  }

  function setUp(root) {
    if (root.getAttribute("data-hd-ready")) return;
    root.setAttribute("data-hd-ready", "1");
    localize(root);
    var url = new URL(root.getAttribute("data-hd-upgrade"), document.baseURI).href;
    fetch(url).then(function (response) {
      if (!response.ok) throw new Error(response.status + " " + url);
      return response.json();
    }).then(function (data) {
      // Links in the JSON are relative to the JSON file when the site URL is unknown.
      data.releases.forEach(function (r) {
        r.url = new URL(r.url, url).href;
        r.notes.forEach(function (n) {
          n.url = new URL(n.url, url).href;
          n.articles.forEach(function (a) { a.url = new URL(a.url, url).href; });
        });
      });
      var form = root.querySelector("form");
      var result = root.querySelector(".hd-rn-upgrade-result");
      var params = new URLSearchParams(window.location.search);
      ["from", "to"].forEach(function (name) {
        var wanted = params.get(name);
        if (wanted && form.elements[name].querySelector('option[value="' + CSS.escape(wanted) + '"]')) {
          form.elements[name].value = wanted;
        }
      });
      function update() {
        var installed = form.elements.from.value, target = form.elements.to.value;
        render(result, data, installed, target);
        var query = "?from=" + encodeURIComponent(installed) + "&to=" + encodeURIComponent(target);
        window.history.replaceState(null, "", query + window.location.hash);
      }
      form.addEventListener("change", update);
      root.hidden = false;
      update();
    }).catch(function (error) {
      root.hidden = false;
      var failed = el("p", "hd-rn-empty");
      failed.textContent = WORDS.not_loaded + " (" + String(error.message) + ")";
      root.appendChild(failed);
    });
  }

  function scan() {
    document.querySelectorAll("[data-hd-upgrade]").forEach(setUp);
  }

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(scan);  // Material's instant navigation
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", scan);
  } else {
    scan();
  }
})();
