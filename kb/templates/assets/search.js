// The help center's search: results as you type, over the Pagefind index of each language's
// site (built by helpdesk.publish.site_search). Vanilla JS, no build step.
//
// Pagefind finds pages holding *every* word of a query, knows no synonyms and no typos.
// This layer reads a query the way `helpdesk search` does (search/query.py) and asks
// Pagefind one word (or synonym) at a time, so only those words' index chunks load:
//   * stop and filler words ("how", "my", "come", "cómo") are dropped;
//   * a synonym-group member ("2FA", "sign in"; phrases first) becomes one slot whose
//     alternatives are every member of its group, worth a little less than the word typed;
//   * a word the site's pages never use is corrected to the closest words they do
//     (edit distance 1, or 2 for longer words), from a small per-letter word list;
//   * pages matching more slots come first (AND before OR), then by the summed scores.
// Nothing loads until the search box is used. Events for the feedback service
// (coordination contract): `helpdesk:search` once a query's results have settled, and
// `helpdesk:search-open` when a result is opened, both on `document`.
(function () {
  "use strict";

  var TYPE_DELAY = 20;        // ms after a keystroke before searching (results as you type)
  var SETTLE_DELAY = 800;     // ms of unchanged results before `helpdesk:search` is sent
  var SHOWN = 8;              // results shown
  var SYNONYM_WEIGHT = 0.6;   // as search/query.py: the typed word is the surer sign
  var CORRECTION_WEIGHT = 0.8;
  var TIEBREAK = 0.1;
  var KIND_WEIGHT = { article: 1, release: 0.4 };  // answers before release notes

  var bundles = {};  // bundle URL -> shared loader state (header and home box share one)

  function fold(text) {
    return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/’/g, "'");
  }

  // Words as the index sees them: identifiers with digits stay whole (19.99, KB5064401).
  function tokenize(text) {
    var out = [];
    var chunks = fold(text).match(/[\p{L}\p{N}]+(?:[.\-\/'][\p{L}\p{N}]+)*/gu) || [];
    chunks.forEach(function (chunk) {
      if (/\d/.test(chunk)) { out.push(chunk); return; }
      chunk.split(/[.\-\/]/).forEach(function (part) {
        part = part.replace(/'s$/, "");
        if (part) out.push(part);
      });
    });
    return out;
  }

  function plural(word) {  // synonyms match "codes" to "code", as words.fold does
    return word.length > 3 && /s$/.test(word) && !/ss$/.test(word) && /^\p{L}+$/u.test(word)
      ? word.slice(0, -1) : word;
  }

  function Bundle(url, base) {
    this.url = url;
    this.base = base;
    this.engine = null;
    this.query = null;
    this.letters = {};
    this.cache = {};
    this.filters = null;
  }

  Bundle.prototype.load = function () {
    var self = this;
    if (!self.engine) {
      self.engine = import(self.url + "pagefind.js").then(function (pagefind) {
        // No worker: one request (and ~40 kB) less, and no message hop per lookup; each
        // lookup is small enough for the main thread.
        return pagefind.options({ baseUrl: self.base, excerptLength: 24, noWorker: true }).then(function () {
          return pagefind;
        });
      });
      self.query = fetch(self.url + "helpdesk-query.json").then(function (r) {
        return r.ok ? r.json() : { stop: [], synonyms: [] };
      }).then(function (data) { return new QueryData(data); })
        .catch(function () { return new QueryData({ stop: [], synonyms: [] }); });
    }
    return Promise.all([self.engine, self.query]);
  };

  Bundle.prototype.wordsFor = function (letter) {
    var self = this;
    if (!self.letters[letter]) {
      self.letters[letter] = fetch(self.url + "helpdesk-words/" + encodeURIComponent(letter) + ".json")
        .then(function (r) { return r.ok ? r.json() : { words: [] }; })
        .then(function (data) { return data.words; })
        .catch(function () { return []; });
    }
    return self.letters[letter];
  };

  Bundle.prototype.search = function (pagefind, text, filters) {
    var key = text + "\u0000" + JSON.stringify(filters);
    if (!this.cache[key]) {
      this.cache[key] = pagefind.search(text, { filters: filters }).then(function (found) {
        return (found && found.results) || [];
      });
    }
    return this.cache[key];
  };

  function QueryData(data) {
    var self = this;
    self.stop = {};
    (data.stop || []).forEach(function (w) { self.stop[fold(w)] = true; });
    self.groups = (data.synonyms || []).map(function (group) { return group.slice(); });
    self.starts = {};  // first word -> [[words], group], longest members first
    self.groups.forEach(function (group, index) {
      group.forEach(function (member) {
        var key = tokenize(member).map(plural);
        if (!key.length) return;
        (self.starts[key[0]] = self.starts[key[0]] || []).push([key, index]);
      });
    });
    Object.keys(self.starts).forEach(function (k) {
      self.starts[k].sort(function (a, b) { return b[0].length - a[0].length; });
    });
  }

  // The query's slots: [{text, alternatives: [[text, weight]], word}], as search/query.py.
  QueryData.prototype.slots = function (words) {
    var slots = [], i = 0, self = this;
    var folded = words.map(plural);
    var content = words.filter(function (w) { return !self.stop[w]; });
    while (i < words.length) {
      var match = null;
      (self.starts[folded[i]] || []).some(function (entry) {
        var key = entry[0];
        if (folded.slice(i, i + key.length).join(" ") === key.join(" ")) {
          match = { end: i + key.length, group: entry[1] };
          return true;
        }
        return false;
      });
      if (match) {
        var typed = words.slice(i, match.end).join(" ");
        var alternatives = [[typed, 1]];
        self.groups[match.group].forEach(function (member) {
          var text = tokenize(member).join(" ");
          if (text && text !== typed) alternatives.push([text, SYNONYM_WEIGHT]);
        });
        slots.push({ text: typed, alternatives: alternatives });
        i = match.end;
        continue;
      }
      // A query made only of stop words ("how to") still searches them.
      if (!self.stop[words[i]] || !content.length) {
        slots.push({ text: words[i], alternatives: [[words[i], 1]], word: words[i] });
      }
      i += 1;
    }
    return slots;
  };

  function distance(a, b, limit) {  // Damerau-Levenshtein (adjacent swaps), bounded
    if (Math.abs(a.length - b.length) > limit) return limit + 1;
    var prev2 = null, prev = [], cur, i, j;
    for (j = 0; j <= b.length; j++) prev[j] = j;
    for (i = 1; i <= a.length; i++) {
      cur = [i];
      var best = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
        if (prev2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
          cur[j] = Math.min(cur[j], prev2[j - 2] + 1);
        }
        if (cur[j] < best) best = cur[j];
      }
      if (best > limit) return limit + 1;
      prev2 = prev;
      prev = cur;
    }
    return prev[b.length];
  }

  // A word no page uses ("pasword"): the closest words pages do use, most frequent first.
  function corrections(bundle, word) {
    if (word.length < 4 || /\d/.test(word)) return Promise.resolve(null);
    return bundle.wordsFor(word[0]).then(function (vocabulary) {
      var known = vocabulary.some(function (w) { return w === word || w.indexOf(word) === 0; });
      if (known) return null;
      var limit = word.length > 6 ? 2 : 1;
      var found = [];
      vocabulary.forEach(function (w, rank) {
        var d = distance(word, w, limit);
        if (d <= limit) found.push([d, rank, w]);
      });
      found.sort(function (x, y) { return x[0] - y[0] || x[1] - y[1]; });
      return found.slice(0, 3).map(function (f) { return f[2]; });
    });
  }

  function top(results) {
    return results.reduce(function (m, r) { return r.score > m ? r.score : m; }, 0);
  }

  function run(bundle, text, filters) {
    return bundle.load().then(function (loaded) {
      var pagefind = loaded[0], data = loaded[1];
      var slots = data.slots(tokenize(text));
      if (!slots.length) return { results: [], corrected: null };
      var corrected = [];
      return Promise.all(slots.map(function (slot, index) {
        var typo = slot.word ? corrections(bundle, slot.word) : Promise.resolve(null);
        return typo.then(function (fixes) {
          if (fixes && fixes.length) {
            fixes.forEach(function (w) { slot.alternatives.push([w, CORRECTION_WEIGHT]); });
            corrected[index] = fixes[0];
          } else {
            corrected[index] = slot.text;
          }
          return Promise.all(slot.alternatives.map(function (alt) {
            return bundle.search(pagefind, alt[0], filters).then(function (results) {
              return { weight: alt[1], results: results };
            });
          }));
        });
      })).then(function (perSlot) {
        var pages = {};
        perSlot.forEach(function (alternatives, index) {
          var best = {};
          // Pagefind scores a phrase ("locked out") lower than one of its words ("locked"):
          // a synonym may not outscore the words typed, so each alternative is scaled to at
          // most the typed alternative's best score (when that found anything).
          var typedTop = top(alternatives[0].results);
          alternatives.forEach(function (alt, position) {
            var altTop = top(alt.results);
            var scale = position && typedTop && altTop > typedTop ? typedTop / altTop : 1;
            alt.results.forEach(function (r) {
              var score = r.score * alt.weight * scale;
              var entry = best[r.id] || (best[r.id] = { result: r, top: 0, sum: 0 });
              entry.sum += score;
              if (score > entry.top) entry.top = score;
            });
          });
          Object.keys(best).forEach(function (id) {
            var b = best[id];
            var page = pages[id] || (pages[id] = { result: b.result, slots: 0, score: 0 });
            page.slots += 1;
            page.score += b.top + TIEBREAK * (b.sum - b.top);
            page.result = b.result;
            page.index = index;
          });
        });
        var ranked = Object.keys(pages).map(function (id) { return pages[id]; });
        ranked.sort(function (a, b) { return b.slots - a.slots || b.score - a.score; });
        var changed = corrected.join(" ") !== slots.map(function (s) { return s.text; }).join(" ");
        return { results: ranked, corrected: changed ? corrected.join(" ") : null };
      });
    });
  }

  // Fragments (title, url, category, summary) load for the few results shown; the page's
  // kind (article or release note) re-weighs them so answers come before release notes.
  function details(ranked) {
    var head = ranked.slice(0, SHOWN + 4);
    return Promise.all(head.map(function (page) {
      return page.result.data().then(function (fragment) {
        var kind = (fragment.meta && fragment.meta.kind) || "article";
        return { page: page, fragment: fragment, score: page.score * (KIND_WEIGHT[kind] || 1) };
      });
    })).then(function (items) {
      items.sort(function (a, b) { return b.page.slots - a.page.slots || b.score - a.score; });
      return items.slice(0, SHOWN);
    });
  }

  function Box(root) {
    this.root = root;
    this.lang = root.getAttribute("data-lang") || document.documentElement.lang || "en";
    var bundleUrl = new URL(root.getAttribute("data-bundle"), window.location.href).href;
    var base = new URL(root.getAttribute("data-base") || ".", window.location.href).pathname;
    if (!/\/$/.test(base)) base += "/";
    this.bundle = bundles[bundleUrl] || (bundles[bundleUrl] = new Bundle(bundleUrl, base));
    this.input = root.querySelector(".hd-search__input");
    this.panel = root.querySelector(".hd-search__panel");
    this.status = root.querySelector(".hd-search__status");
    this.list = root.querySelector(".hd-search__results");
    this.selects = root.querySelectorAll(".hd-search__filter");
    this.generation = 0;
    this.timer = null;
    this.settle = null;
    this.sent = null;
    this.shown = null;
    this.bind();
  }

  Box.prototype.bind = function () {
    var self = this;
    self.input.addEventListener("focus", function () { self.open(); });
    self.input.addEventListener("input", function () {
      clearTimeout(self.timer);
      self.timer = setTimeout(function () { self.update(); }, TYPE_DELAY);
    });
    self.input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        var first = self.list.querySelector("a");
        if (first) { event.preventDefault(); first.focus(); }
      } else if (event.key === "Escape") {
        self.close();
      } else if (event.key === "Enter") {
        var top = self.list.querySelector("a");
        if (top) { event.preventDefault(); top.click(); }
      }
    });
    self.list.addEventListener("keydown", function (event) {
      var links = Array.prototype.slice.call(self.list.querySelectorAll("a"));
      var at = links.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && at < links.length - 1) {
        event.preventDefault(); links[at + 1].focus();
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (at > 0) links[at - 1].focus(); else self.input.focus();
      } else if (event.key === "Escape") {
        self.input.focus(); self.close();
      }
    });
    self.list.addEventListener("click", function (event) {
      var link = event.target.closest("a");
      if (!link) return;
      document.dispatchEvent(new CustomEvent("helpdesk:search-open", {
        detail: { query: self.input.value.trim(), article: link.getAttribute("data-article"), lang: self.lang }
      }));
    });
    Array.prototype.forEach.call(self.selects, function (select) {
      select.addEventListener("change", function () { self.update(); });
    });
    self.root.addEventListener("focusout", function (event) {
      if (!self.root.contains(event.relatedTarget)) self.close();
    });
  };

  Box.prototype.open = function () {
    var self = this;
    self.panel.hidden = false;
    self.input.setAttribute("aria-expanded", "true");
    if (!self.input.value.trim()) self.say(self.status.getAttribute("data-empty"));
    self.bundle.load().then(function (loaded) { self.fillFilters(loaded[0]); })
      .catch(function () { self.say(self.status.getAttribute("data-offline")); });
  };

  Box.prototype.close = function () {
    this.panel.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
  };

  Box.prototype.fillFilters = function (pagefind) {
    var self = this;
    if (!self.bundle.filters) self.bundle.filters = pagefind.filters();
    self.bundle.filters.then(function (available) {
      Array.prototype.forEach.call(self.selects, function (select) {
        if (select.options.length > 1) return;
        var values = Object.keys(available[select.getAttribute("data-filter")] || {}).sort();
        values.forEach(function (value) {
          var option = document.createElement("option");
          option.value = value;
          option.textContent = value;
          select.appendChild(option);
        });
        select.closest("label").hidden = values.length < 2;
      });
    });
  };

  Box.prototype.currentFilters = function () {
    var filters = {};
    Array.prototype.forEach.call(this.selects, function (select) {
      if (select.value) filters[select.getAttribute("data-filter")] = select.value;
    });
    return filters;
  };

  Box.prototype.say = function (text) {
    this.status.textContent = text || "";
  };

  Box.prototype.update = function () {
    var self = this, query = self.input.value.trim();
    var generation = ++self.generation;
    clearTimeout(self.settle);
    self.open();
    if (!query) {
      self.list.textContent = "";
      self.list.removeAttribute("data-query");
      self.say(self.status.getAttribute("data-empty"));
      return;
    }
    self.say(self.status.getAttribute("data-loading"));
    run(self.bundle, query, self.currentFilters()).then(function (found) {
      return details(found.results).then(function (items) {
        if (generation !== self.generation) return;  // a newer query is on its way
        self.render(query, items, found.corrected, found.results.length);
      });
    }).catch(function () {
      if (generation === self.generation) self.say(self.status.getAttribute("data-offline"));
    });
  };

  Box.prototype.render = function (query, items, corrected, total) {
    var self = this;
    self.list.textContent = "";
    items.forEach(function (item) {
      var fragment = item.fragment, meta = fragment.meta || {};
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.className = "hd-search__result";
      link.href = fragment.url;
      link.setAttribute("data-article", meta.article || "");
      var title = document.createElement("span");
      title.className = "hd-search__title";
      title.textContent = meta.title || fragment.url;
      link.appendChild(title);
      if (meta.category) {
        var category = document.createElement("span");
        category.className = "hd-search__category";
        category.textContent = meta.category;
        link.appendChild(category);
      }
      var summary = document.createElement("span");
      summary.className = "hd-search__summary";
      if (meta.summary) summary.textContent = meta.summary;
      else summary.innerHTML = fragment.excerpt;  // Pagefind's excerpt: escaped text + <mark>
      link.appendChild(summary);
      li.appendChild(link);
      self.list.appendChild(li);
    });
    var status = self.status;
    var count = total === 1 ? status.getAttribute("data-one")
      : status.getAttribute("data-many").replace("{n}", String(total));
    if (!total) count = status.getAttribute("data-none");
    if (corrected && total) count = status.getAttribute("data-corrected") + " “" + corrected + "” · " + count;
    self.say(count);
    self.list.setAttribute("data-query", query);
    self.shown = { query: query, results: items.map(function (i) { return (i.fragment.meta || {}).article || i.fragment.url; }) };
    self.settle = setTimeout(function () { self.announce(); }, SETTLE_DELAY);
  };

  Box.prototype.announce = function () {
    var shown = this.shown;
    if (!shown || shown.query === this.sent) return;
    this.sent = shown.query;
    document.dispatchEvent(new CustomEvent("helpdesk:search", {
      detail: { query: shown.query, results: shown.results, lang: this.lang }
    }));
  };

  function scan() {
    document.querySelectorAll("[data-hd-search]").forEach(function (root) {
      if (!root.hdSearch) root.hdSearch = new Box(root);
    });
  }

  // "/" focuses the search, as on most help centers; the header's toggle opens it on phones.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var input = document.querySelector(".hd-search--hero .hd-search__input") ||
      document.querySelector(".hd-search__input");
    if (input) { event.preventDefault(); input.focus(); }
  });
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest(".hd-search-toggle");
    if (!toggle) return;
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    document.documentElement.classList.toggle("hd-search-open", open);
    if (open) document.querySelector("#hd-header-search .hd-search__input").focus();
  });

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(scan);  // Material's instant navigation swaps the content
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", scan);
  } else {
    scan();
  }
})();
