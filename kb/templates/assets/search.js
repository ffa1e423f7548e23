// The help center's search: results as you type, over the index helpdesk writes beside each
// language's site (helpdesk.publish.site_search: /<lang>/hd-search/). Vanilla JS, no build step.
//
// Scores are computed at build time with the CLI's analysis and ranking (BM25F over title,
// tags, summary and body, the same boosts), so this layer only reads a query the way
// `helpdesk search` does (search/query.py) and adds up numbers:
//   * stop and filler words ("how", "my", "come", "cómo") are dropped;
//   * a synonym-group member ("2FA", "sign in"; phrases first) becomes one slot whose
//     alternatives are every member of its group, worth a little less than the word typed;
//   * a short word also looks for the words it starts ("act" -> "activation"), for half;
//   * a word no page uses is corrected to the closest words titles and summaries use
//     (edit distance 1, or 2 for words of 7 letters or more), most frequent first;
//   * pages with every slot come first; when fewer than three have them all, the pages
//     with some of the slots follow (words on a quarter of the pages or more are left out
//     of that looser pass on a big site, as the CLI does).
// Each word costs one small words file (by first letter) and one file per index term; the
// titles and summaries load for the results shown only. Nothing loads until the search box
// is used. Events for the feedback service (coordination contract): `helpdesk:search` once a
// query's results have settled, and `helpdesk:search-open` when a result is opened, both on
// `document`.
(function () {
  "use strict";

  var FORMAT = 1;              // site_search.FORMAT
  var TYPE_DELAY = 20;         // ms after a keystroke before searching (results as you type)
  var SETTLE_DELAY = 800;      // ms of unchanged results before `helpdesk:search` is sent
  var SHOWN = 8;               // results shown
  var SYNONYM_WEIGHT = 0.6;    // as search/query.py: the typed word is the surer sign
  var CORRECTION_WEIGHT = 0.8;
  var COMPLETION_WEIGHT = 0.5;
  var SHORT_WORD = 3;
  var TIEBREAK = 0.1;
  var TOP_UP_BELOW = 3;        // as search/engine.py
  var COMMON_SHARE = 0.25;
  var PRUNE_FROM = 1000;

  var bundles = {};  // bundle URL -> shared loader state (header and home box share one)

  // ---- words, as helpdesk.search.words splits them -------------------------------------

  var CHUNK_RE = /[\p{L}\p{M}\p{N}_]+(?:[.\-\/'’][\p{L}\p{M}\p{N}_]+)*/gu;
  var ELIDED_RE = /^[a-zà-ÿ]{1,6}['’](?=[\p{L}\p{N}_])/u;

  function isIdentifier(word) { return /\d/.test(word); }

  function foldAccents(text) {
    return text.normalize("NFKD").replace(/\p{M}/gu, "");
  }

  function spans(text) {  // words.spans: identifiers whole, prose split on . - / _
    var out = [];
    (text.match(CHUNK_RE) || []).forEach(function (chunk) {
      if (isIdentifier(chunk)) { out.push(chunk); return; }
      (chunk.match(/[^.\-\/_]+/g) || []).forEach(function (word) {
        word = word.replace(/['’]s$/, "");
        if (word) out.push(word);
      });
    });
    return out;
  }

  function synonymFold(word) {  // words.fold: case, accents and a plural "s" dropped
    word = foldAccents(word.toLowerCase().replace(/’/g, "'"));
    return word.length > 3 && /s$/.test(word) && !/ss$/.test(word) && /^\p{L}+$/u.test(word)
      ? word.slice(0, -1) : word;
  }

  // analysis.identifier_variants: kb5064401 -> 5064401; 20.0.3 -> 20.0; e-102 -> e102.
  function identifierTerms(word) {
    var out = [word], m = /^[a-z]+(\d+)$/.exec(word);
    if (m) out.push(m[1]);
    m = /^(\d+)\.(\d+)/.exec(word);
    if (m && m[0] !== word) out.push(m[0]);
    if (word.indexOf("-") >= 0) out.push(word.replace(/-/g, ""));
    return out;
  }

  function fileName(key) {  // site_search.term_file
    if (/^[a-z0-9][a-z0-9.\-]{0,60}$/.test(key) && !/\.$/.test(key)) return key;
    var hex = "";
    new TextEncoder().encode(key).forEach(function (b) { hex += (b < 16 ? "0" : "") + b.toString(16); });
    return "_" + hex.slice(0, 120);
  }

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

  // ---- the bundle: lazily fetched, shared by the boxes of a page -----------------------

  function getJSON(url) {
    return fetch(url).then(function (r) {
      if (r.status === 404) return null;
      if (!r.ok) throw new Error("search index: HTTP " + r.status);
      return r.json();
    });
  }

  function undelta(deltas) {
    var out = new Int32Array(deltas.length), at = 0;
    for (var i = 0; i < deltas.length; i++) { at += deltas[i]; out[i] = at; }
    return out;
  }

  function Bundle(url, base) {
    this.url = url;
    this.base = base;
    this.meta = null;
    this.files = {};
  }

  Bundle.prototype.load = function () {
    var self = this;
    if (!self.meta) {
      self.meta = getJSON(self.url + "meta.json").then(function (meta) {
        if (!meta || meta.format !== FORMAT) throw new Error("search index: unknown format");
        return new QueryData(meta);
      });
      self.meta.catch(function () { self.meta = null; });  // offline now is not offline forever
    }
    return self.meta;
  };

  Bundle.prototype.file = function (path, read) {
    var self = this;
    if (!self.files[path]) {
      self.files[path] = getJSON(self.url + path).then(read);
      self.files[path].catch(function () { delete self.files[path]; });
    }
    return self.files[path];
  };

  Bundle.prototype.words = function (key) {  // word -> [df, cf, terms]
    return this.file("words/" + fileName(key) + ".json", function (data) { return data || {}; });
  };

  Bundle.prototype.postings = function (key) {  // {docs, s (all fields), h (short fields)}
    return this.file("terms/" + fileName(key) + ".json", function (data) {
      return data ? { docs: undelta(data.d), s: data.s, h: data.h || null } : null;
    });
  };

  Bundle.prototype.docs = function (chunk) {
    return this.file("docs/" + chunk + ".json", function (data) { return data || []; });
  };

  Bundle.prototype.filterSets = function () {  // name -> value -> Set of docs
    return this.file("filters.json", function (data) {
      var out = {};
      Object.keys(data || {}).forEach(function (name) {
        out[name] = {};
        Object.keys(data[name]).forEach(function (value) {
          out[name][value] = new Set(undelta(data[name][value]));
        });
      });
      return out;
    });
  };

  function QueryData(meta) {
    var self = this;
    self.meta = meta;
    self.lang = meta.lang;
    self.stop = {};
    (meta.stop || []).forEach(function (w) { self.stop[w] = true; });
    self.groups = meta.synonyms || [];
    self.vocabulary = {};  // words of synonym members: never typos
    self.starts = {};      // first folded word -> [[words], group], longest members first
    self.groups.forEach(function (group, index) {
      group.forEach(function (member) {
        var words = spans(member);
        words.forEach(function (w) { self.vocabulary[w.toLowerCase()] = true; });
        var key = words.map(synonymFold);
        if (!key.length) return;
        (self.starts[key[0]] = self.starts[key[0]] || []).push([key, index]);
      });
    });
    Object.keys(self.starts).forEach(function (k) {
      self.starts[k].sort(function (a, b) { return b[0].length - a[0].length; });
    });
  }

  QueryData.prototype.plain = function (word) {  // as the index's words: lowercased, elided
    var lowered = word.toLowerCase();
    return this.lang === "en" ? lowered : lowered.replace(ELIDED_RE, "");
  };

  QueryData.prototype.isStop = function (word) {
    var plain = this.plain(word);
    return !plain || !!this.stop[plain] || !!this.stop[foldAccents(plain)];
  };

  QueryData.prototype.wordKey = function (word) {  // site_search.word_key
    var folded = foldAccents(word), first = folded.slice(0, 1);
    return (this.meta.split || {})[first] && folded.length > 1 ? folded.slice(0, 2) : first;
  };

  QueryData.prototype.findSynonyms = function (words) {  // SynonymTable.find
    var folded = words.map(synonymFold), found = [], i = 0, self = this;
    while (i < folded.length) {
      var match = null;
      (self.starts[folded[i]] || []).some(function (entry) {
        var key = entry[0];
        if (folded.slice(i, i + key.length).join(" ") === key.join(" ")) {
          match = { start: i, end: i + key.length, group: entry[1] };
          return true;
        }
        return false;
      });
      if (match) { found.push(match); i = match.end; } else { i += 1; }
    }
    return found;
  };

  // ---- reading a query (search/query.py) -----------------------------------------------

  // Inflections the pages never use ("compro", "desactivo") are known to the CLI through its
  // stemmer; the browser has none, so a word counts as known when a stem the index has is
  // its beginning and what is left is one of the language's usual endings.
  var ENDINGS = {
    en: /^(s|es|ed|d|ing|er|ers|e|ly|ion|ions)$/,
    it: /^(a|e|i|o|are|ere|ire|ato|ata|ati|ate|ito|ita|iti|ite|uto|uta|ando|endo|ano|ono|avo|ava|iamo|ete|ino|ina|one|oni|ione|ioni)$/,
    es: /^(a|e|o|as|es|os|ar|er|ir|ado|ada|ados|adas|ido|ida|idos|idas|ando|iendo|amos|emos|imos|an|en|aste|ion|iones)$/
  };
  var MIN_STEM = 4;

  function stemOf(words, plain, lang) {
    var endings = ENDINGS[lang] || ENDINGS[lang.split("-")[0]];
    if (!endings) return null;
    var folded = foldAccents(plain), best = null;
    Object.keys(words).forEach(function (w) {
      var stem = words[w][2][0];
      if (stem.length >= MIN_STEM && (!best || stem.length > best.length) &&
          folded.indexOf(stem) === 0 && endings.test(folded.slice(stem.length))) best = stem;
    });
    return best;
  }

  function lookup(bundle, data, word) {  // [df, cf, terms] of a word, or null
    var plain = data.plain(word);
    return bundle.words(data.wordKey(plain)).then(function (words) {
      var entry = words[plain] || words[foldAccents(plain)];
      if (entry) return entry;
      var stem = stemOf(words, plain, data.lang);
      return stem ? [0, 0, [stem]] : null;
    });
  }

  function termsOf(bundle, data, word) {
    if (isIdentifier(word)) return Promise.resolve(identifierTerms(data.plain(word)));
    if (data.isStop(word)) return Promise.resolve([]);
    return lookup(bundle, data, word).then(function (entry) { return entry ? entry[2] : []; });
  }

  function complete(bundle, data, fragment) {  // words starting with it, most common first
    return bundle.words(data.wordKey(fragment)).then(function (words) {
      var found = [];
      Object.keys(words).sort().some(function (w) {
        if (w.indexOf(fragment) === 0 && w !== fragment && words[w][0] > 0 &&
            !isIdentifier(w) && !data.isStop(w)) found.push(w);
        return found.length >= 200;
      });
      found.sort(function (a, b) { return words[b][0] - words[a][0] || (a < b ? -1 : 1); });
      return found.slice(0, 4);
    });
  }

  function suggest(bundle, data, word) {  // words of the same first letter, 1 or 2 edits away
    var first = foldAccents(word).slice(0, 1);
    var keys = (data.meta.split || {})[first] || [first];
    return Promise.all(keys.map(function (k) { return bundle.words(k); })).then(function (lists) {
      function within(limit) {
        var found = [];
        lists.forEach(function (words) {
          Object.keys(words).forEach(function (w) {
            var entry = words[w];
            if (entry[1] > 0 && w !== word && w[0] === word[0] && !data.isStop(w) &&
                distance(word, w, limit) <= limit) found.push([entry[1], w]);
          });
        });
        found.sort(function (a, b) { return b[0] - a[0] || (a[1] < b[1] ? -1 : 1); });
        return found.slice(0, 3).map(function (f) { return f[1]; });
      }
      var found = within(1);
      return found.length || word.length < 7 ? found : within(2);
    });
  }

  function Slot(text, alternatives, weights) {
    this.text = text;
    this.alternatives = alternatives;  // [[words]]
    this.weights = weights || alternatives.map(function (_, i) { return i ? SYNONYM_WEIGHT : 1; });
    this.phrase = false;
    this.corrected = null;
    this.unknown = false;
  }

  function synonymSlot(data, typed, group) {
    var alternatives = [spans(typed)];
    data.groups[group].forEach(function (member) {
      if (member.toLowerCase() !== typed.toLowerCase()) alternatives.push(spans(member));
    });
    return new Slot(typed, alternatives);
  }

  function wordSlot(bundle, data, word) {
    if (isIdentifier(word)) return Promise.resolve(new Slot(word, [[word]]));
    var plain = data.plain(word);
    return lookup(bundle, data, word).then(function (entry) {
      var known = !!entry || !!data.vocabulary[plain];
      var fragment = plain.length >= 3 && (!known || plain.length <= SHORT_WORD);
      return (fragment ? complete(bundle, data, plain) : Promise.resolve([])).then(function (completions) {
        if (known) {
          return new Slot(word, [[word]].concat(completions.map(function (c) { return [c]; })),
            [1].concat(completions.map(function () { return COMPLETION_WEIGHT; })));
        }
        return (completions.length ? Promise.resolve(completions) : suggest(bundle, data, plain))
          .then(function (guesses) {
            var slot;
            if (!guesses.length) {
              slot = new Slot(word, [[word]]);
              slot.unknown = true;
              return slot;
            }
            var best = guesses[0], synonym = data.findSynonyms([best]);
            if (synonym.length) {
              slot = synonymSlot(data, best, synonym[0].group);
            } else {
              slot = new Slot(word, guesses.map(function (g) { return [g]; }),
                guesses.map(function (_, i) { return i ? CORRECTION_WEIGHT * 0.7 : CORRECTION_WEIGHT; }));
            }
            slot.text = word;
            slot.corrected = best;
            return slot;
          });
      });
    });
  }

  function freeText(bundle, data, text) {
    var typed = spans(text), slots = [], matches = {}, position = 0;
    data.findSynonyms(typed).forEach(function (m) { matches[m.start] = m; });
    while (position < typed.length) {
      var found = matches[position];
      if (found) {
        slots.push(Promise.resolve(synonymSlot(data, typed.slice(found.start, found.end).join(" "), found.group)));
        position = found.end;
        continue;
      }
      var word = typed[position];
      position += 1;
      if (data.isStop(word)) continue;
      slots.push(wordSlot(bundle, data, word));
    }
    return slots;
  }

  function parse(bundle, data, text) {  // query.parse: quoted phrases, then free text
    var slots = [], position = 0, re = /"([^"]*)"?/g, m;
    while ((m = re.exec(text)) !== null) {
      if (!m[0]) { re.lastIndex += 1; continue; }
      slots = slots.concat(freeText(bundle, data, text.slice(position, m.index)));
      var phrase = spans(m[1]);
      if (phrase.length) {
        var slot = new Slot(m[1].trim(), [phrase]);
        slot.phrase = true;
        slots.push(Promise.resolve(slot));
      }
      position = m.index + m[0].length;
    }
    slots = slots.concat(freeText(bundle, data, text.slice(position)));
    return Promise.all(slots);
  }

  // ---- scoring: the precomputed scores, combined as search/query.py builds the query ----

  function addAll(into, postings, weight, field) {  // docs -> score, summed
    if (!postings) return;
    var scores = field === "h" ? postings.h : postings.s;
    if (!scores) return;
    for (var i = 0; i < postings.docs.length; i++) {
      if (scores[i] > 0) into.set(postings.docs[i], (into.get(postings.docs[i]) || 0) + scores[i] * weight);
    }
  }

  // One alternative's docs -> score: a word over every field (its first term counts fully,
  // identifier variants half), a phrase where its words stand together.
  function alternative(bundle, data, words, weight, typed) {
    if (words.length === 1) {
      return termsOf(bundle, data, words[0]).then(function (terms) {
        return Promise.all(terms.map(function (t) { return bundle.postings(t); })).then(function (all) {
          var scores = new Map();
          all.forEach(function (p, i) { addAll(scores, p, weight * (i ? 0.5 : 1), "s"); });
          return { key: terms.join("\u0000"), scores: scores };
        });
      });
    }
    var content = words.filter(function (w) { return !data.isStop(w); });
    return Promise.all(content.map(function (w) { return termsOf(bundle, data, w); })).then(function (lists) {
      var sequence = lists.filter(function (t) { return t.length; }).map(function (t) { return t[0]; });
      var key = sequence.join("\u0000"), scores = new Map();
      if (!sequence.length) return { key: key, scores: scores };
      if (sequence.length === 1) {
        return bundle.postings(sequence[0]).then(function (p) {
          addAll(scores, p, weight, "s");
          return { key: key, scores: scores };
        });
      }
      return bundle.postings(sequence.join(" ")).then(function (phrase) {
        if (phrase) {
          addAll(scores, phrase, weight, typed ? "s" : "h");
          return { key: key, scores: scores };
        }
        // A quoted phrase the index has no phrase file for: pages with all of its words.
        return Promise.all(sequence.map(function (t) { return bundle.postings(t); })).then(function (all) {
          var each = all.map(function (p) { var m = new Map(); addAll(m, p, weight, "s"); return m; });
          each[0].forEach(function (score, doc) {
            var total = score;
            for (var i = 1; i < each.length; i++) {
              if (!each[i].has(doc)) return;
              total += each[i].get(doc);
            }
            scores.set(doc, total);
          });
          return { key: key, scores: scores };
        });
      });
    });
  }

  // A slot's docs -> score: its best alternative plus a little of the others.
  function slotScores(bundle, data, slot, synonymPhrases) {
    return Promise.all(slot.alternatives.map(function (words, index) {
      if (index > 0 && words.length > 1 && !synonymPhrases) return null;
      var typed = index === 0 || slot.corrected !== null;
      return alternative(bundle, data, words, slot.weights[index], typed);
    })).then(function (options) {
      var seen = {}, best = new Map(), sums = new Map();
      options.forEach(function (option) {
        if (!option || seen[option.key]) return;
        seen[option.key] = true;
        option.scores.forEach(function (score, doc) {
          sums.set(doc, (sums.get(doc) || 0) + score);
          if (score > (best.get(doc) || 0)) best.set(doc, score);
        });
      });
      var out = new Map();
      best.forEach(function (top, doc) { out.set(doc, top + TIEBREAK * (sums.get(doc) - top)); });
      return out;
    });
  }

  function allowed(bundle, data, filters) {  // a Set of docs, or null for every doc
    var names = Object.keys(filters);
    if (!names.length) return Promise.resolve(null);
    return bundle.filterSets().then(function (sets) {
      var result = null;
      names.forEach(function (name) {
        var values = sets[name] || {}, chosen = values[filters[name]] || new Set(), these = new Set(chosen);
        if (name === "platform") {  // a page naming no platform applies to every one
          var named = new Set();
          Object.keys(values).forEach(function (v) { values[v].forEach(function (d) { named.add(d); }); });
          for (var d = 0; d < data.meta.docs; d++) if (!named.has(d)) these.add(d);
        }
        result = result ? new Set(Array.from(result).filter(function (x) { return these.has(x); })) : these;
      });
      return result;
    });
  }

  function run(bundle, text, filters) {
    return bundle.load().then(function (data) {
      return parse(bundle, data, text).then(function (slots) {
        var active = slots.filter(function (s) { return !s.unknown; });
        if (!active.length) active = slots;
        var corrections = slots.filter(function (s) { return s.corrected; });
        var corrected = null;
        if (corrections.length) {
          corrected = text;
          corrections.forEach(function (s) {
            corrected = corrected.replace(new RegExp("(^|[^\\p{L}\\p{N}])" + s.text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "(?![\\p{L}\\p{N}])", "iu"),
              function (_, before) { return before + s.corrected; });
          });
        }
        if (!active.length) return { results: [], corrected: corrected };
        return Promise.all([
          Promise.all(active.map(function (s) { return slotScores(bundle, data, s, true); })),
          allowed(bundle, data, filters)
        ]).then(function (got) {
          var perSlot = got[0], allow = got[1];
          var every = rankAll(perSlot, allow);
          if (every.length >= TOP_UP_BELOW || active.length < 2) {
            return { results: every, corrected: corrected };
          }
          // Few pages have every word: the best pages with some of them follow.
          return Promise.all(active.map(function (s) { return slotScores(bundle, data, s, false); }))
            .then(function (loose) {
              var informative = data.meta.docs < PRUNE_FROM ? loose : loose.filter(function (m) {
                return m.size < COMMON_SHARE * data.meta.docs;
              });
              if (!informative.length) informative = loose;
              var have = new Set(every.map(function (r) { return r.doc; }));
              var more = rankAny(informative, allow).filter(function (r) { return !have.has(r.doc); });
              return { results: every.concat(more), corrected: corrected };
            });
        });
      });
    });
  }

  function rankAll(perSlot, allow) {
    var out = [];
    perSlot[0].forEach(function (score, doc) {
      if (allow && !allow.has(doc)) return;
      var total = score;
      for (var i = 1; i < perSlot.length; i++) {
        var s = perSlot[i].get(doc);
        if (s === undefined) return;
        total += s;
      }
      out.push({ doc: doc, score: total });
    });
    return out.sort(byScore);
  }

  function rankAny(perSlot, allow) {
    var totals = new Map();
    perSlot.forEach(function (m) {
      m.forEach(function (score, doc) {
        if (!allow || allow.has(doc)) totals.set(doc, (totals.get(doc) || 0) + score);
      });
    });
    var out = [];
    totals.forEach(function (score, doc) { out.push({ doc: doc, score: score }); });
    return out.sort(byScore);
  }

  function byScore(a, b) { return b.score - a.score || a.doc - b.doc; }

  // Title, address, category and summary of the results shown.
  function details(bundle, ranked) {
    var head = ranked.slice(0, SHOWN);
    return bundle.load().then(function (data) {
      var per = data.meta.perFile;
      return Promise.all(head.map(function (r) {
        return bundle.docs(Math.floor(r.doc / per)).then(function (chunk) {
          var f = chunk[r.doc % per] || [];
          return { url: bundle.base + (f[0] || ""), title: f[1] || "", category: f[2] || "",
                   summary: f[3] || "", article: f[4] || "", kind: f[5] || "article" };
        });
      }));
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
    self.bundle.load().then(function (data) { self.fillFilters(data); })
      .catch(function () { self.say(self.status.getAttribute("data-offline")); });
  };

  Box.prototype.close = function () {
    this.panel.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
  };

  Box.prototype.fillFilters = function (data) {
    var available = data.meta.filters || {};
    Array.prototype.forEach.call(this.selects, function (select) {
      if (select.options.length > 1) return;
      var values = (available[select.getAttribute("data-filter")] || []).slice().sort();
      values.forEach(function (value) {
        var option = document.createElement("option");
        option.value = value;
        option.textContent = value;
        select.appendChild(option);
      });
      select.closest("label").hidden = values.length < 2;
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
      if (generation !== self.generation) return null;  // typed on: no titles for this one
      return details(self.bundle, found.results).then(function (items) {
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
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.className = "hd-search__result";
      link.href = item.url;
      link.setAttribute("data-article", item.article);
      var title = document.createElement("span");
      title.className = "hd-search__title";
      title.textContent = item.title || item.url;
      link.appendChild(title);
      if (item.category) {
        var category = document.createElement("span");
        category.className = "hd-search__category";
        category.textContent = item.category;
        link.appendChild(category);
      }
      var summary = document.createElement("span");
      summary.className = "hd-search__summary";
      summary.textContent = item.summary;
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
    self.shown = { query: query, results: items.map(function (i) { return i.article || i.url; }) };
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
