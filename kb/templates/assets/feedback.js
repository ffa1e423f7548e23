// "Was this helpful?" under articles, and the searches that found nothing, sent to the
// help center's feedback service (helpdesk feedback serve). Loaded only when the site was
// built with a feedback endpoint (assets/feedback-config.js sets window.helpdeskFeedback).
//
// What it sends (the service's contract, POST /v1/feedback, one JSON object as text):
//   {kind: "vote", lang, article, helpful, reason?, comment?}
//   {kind: "search", lang, query, results, opened?}
// How: navigator.sendBeacon with a string body (text/plain: no CORS preflight, and it
// survives the page being closed). While the browser is offline, items wait in
// localStorage and are sent once it is back online (fetch, so that an item leaves the
// queue only once it reached the server). No cookie, nothing to any third party.
(function () {
  "use strict";

  var config = window.helpdeskFeedback || {};
  var endpoint = config.endpoint;
  if (!endpoint || window.helpdeskFeedbackLoaded) return;
  window.helpdeskFeedbackLoaded = true;

  var QUEUE_KEY = "helpdesk.feedback.queue";
  var VOTED_KEY = "helpdesk.feedback.voted";
  var MAX_QUEUE = 50;        // items kept while offline; the oldest go first
  var MAX_VOTED = 200;       // articles remembered as voted on (in this browser only)
  var MAX_COMMENT = 1000;
  var MAX_QUERY = 200;

  // ---------------------------------------------------------------- storage

  function readList(key) {
    try {
      var value = JSON.parse(window.localStorage.getItem(key) || "[]");
      return Array.isArray(value) ? value : [];
    } catch (error) {
      return [];   // storage disabled or unreadable: behave as empty
    }
  }

  function writeList(key, list) {
    try {
      if (list.length) window.localStorage.setItem(key, JSON.stringify(list));
      else window.localStorage.removeItem(key);
    } catch (error) {
      // Full or disabled storage: the item is lost, the page keeps working.
    }
  }

  function enqueue(item) {
    var queue = readList(QUEUE_KEY);
    queue.push(item);
    writeList(QUEUE_KEY, queue.slice(-MAX_QUEUE));
  }

  // ---------------------------------------------------------------- sending

  function send(item) {
    if (navigator.onLine === false) {
      enqueue(item);
      return;
    }
    var sent = false;
    try {
      sent = navigator.sendBeacon(endpoint, JSON.stringify(item));
    } catch (error) {
      sent = false;
    }
    if (!sent) enqueue(item);
  }

  var flushing = false;

  // Send what waited while offline. Items are taken off the queue before they are sent
  // and put back only if the network failed, so each reaches the server once; an item
  // the server refused (4xx) is not retried. "no-cors" with a text body needs no CORS
  // answer from the service, and still rejects when the network is down.
  function flush() {
    if (flushing || navigator.onLine === false) return;
    var queue = readList(QUEUE_KEY);
    if (!queue.length) return;
    flushing = true;
    writeList(QUEUE_KEY, []);
    var failed = [];
    var pending = queue.map(function (item) {
      return window.fetch(endpoint, {
        method: "POST",
        mode: "no-cors",
        credentials: "omit",
        keepalive: true,
        headers: {"Content-Type": "text/plain;charset=UTF-8"},
        body: JSON.stringify(item)
      }).catch(function () {
        failed.push(item);
      });
    });
    Promise.all(pending).then(function () {
      if (failed.length) writeList(QUEUE_KEY, failed.concat(readList(QUEUE_KEY)).slice(-MAX_QUEUE));
      flushing = false;
    });
  }

  window.addEventListener("online", flush);

  // ---------------------------------------------------------------- votes

  function votedKey(article, lang) {
    return lang + ":" + article;
  }

  function rememberVote(article, lang) {
    var voted = readList(VOTED_KEY).filter(function (key) { return key !== votedKey(article, lang); });
    voted.push(votedKey(article, lang));
    writeList(VOTED_KEY, voted.slice(-MAX_VOTED));
  }

  function pageLang(element) {
    return element.getAttribute("data-lang") || document.documentElement.lang || "en";
  }

  function setUp(box) {
    if (box.getAttribute("data-ready")) return;
    var template = box.querySelector("template");
    if (!template) return;
    box.setAttribute("data-ready", "1");
    box.appendChild(template.content.cloneNode(true));
    var article = box.getAttribute("data-article");
    var lang = pageLang(box);
    var form = box.querySelector("form");
    var ask = box.querySelector(".hd-feedback__ask");
    var why = box.querySelector(".hd-feedback__why");
    var thanks = box.querySelector(".hd-feedback__thanks");
    var pendingNo = false;

    function finish() {
      ask.hidden = true;
      why.hidden = true;
      thanks.hidden = false;
    }

    function vote(helpful, reason, comment) {
      var item = {kind: "vote", lang: lang, article: article, helpful: helpful};
      if (!helpful && reason) item.reason = reason;
      if (!helpful && comment) item.comment = comment;
      send(item);
      rememberVote(article, lang);
      finish();
    }

    if (readList(VOTED_KEY).indexOf(votedKey(article, lang)) !== -1) {
      finish();
      return;
    }

    box.querySelector(".hd-feedback__yes").addEventListener("click", function () {
      vote(true);
    });
    box.querySelector(".hd-feedback__no").addEventListener("click", function () {
      pendingNo = true;
      ask.hidden = true;
      why.hidden = false;
      var first = why.querySelector("input");
      if (first) first.focus();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!pendingNo) return;
      pendingNo = false;
      var chosen = form.querySelector("input[name=reason]:checked");
      var comment = (form.querySelector("textarea").value || "").trim().slice(0, MAX_COMMENT);
      vote(false, chosen ? chosen.value : null, comment);
    });
    // A reader who said "No" and left without pressing Send still said "No".
    function leave() {
      if (!pendingNo) return;
      pendingNo = false;
      vote(false, null, null);
    }
    window.addEventListener("pagehide", leave);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") leave();
    });
    box.addEventListener("hd-feedback:leave", leave);
  }

  function setUpAll() {
    // With instant navigation the page's content is swapped without a page load: a
    // widget that leaves the page still sends a pending "No".
    var boxes = document.querySelectorAll(".hd-feedback[data-article]");
    for (var i = 0; i < boxes.length; i++) setUp(boxes[i]);
  }

  // ---------------------------------------------------------------- searches

  // The site search emits `helpdesk:search` once a query's results have settled and
  // `helpdesk:search-open` when a result is opened (both on document). A settled query is
  // kept until the reader opens a result (sent with `opened`), types something
  // unrelated (a query that found nothing is sent then), or leaves the page (sent as
  // found nothing, or left without opening a result).
  var lastSearch = null;

  function searchItem(detail, opened) {
    var query = String(detail.query || "").trim().slice(0, MAX_QUERY);
    if (!query) return null;
    // `results` is what the search showed: a list (of article ids) or a count.
    var shown = Array.isArray(detail.results) ? detail.results.length : Number(detail.results);
    var results = Math.max(0, Math.floor(shown || 0));
    var item = {kind: "search", lang: detail.lang || document.documentElement.lang || "en",
                query: query, results: results};
    if (opened) item.opened = opened;
    return item;
  }

  function related(a, b) {
    a = a.toLowerCase();
    b = b.toLowerCase();
    return a.indexOf(b) === 0 || b.indexOf(a) === 0;
  }

  function flushSearch() {
    if (lastSearch) send(lastSearch);
    lastSearch = null;
  }

  document.addEventListener("helpdesk:search", function (event) {
    var item = searchItem(event.detail || {});
    if (lastSearch && (!item || !related(lastSearch.query, item.query))) {
      if (lastSearch.results === 0) send(lastSearch);
      lastSearch = null;
    }
    if (item) lastSearch = item;
  });

  document.addEventListener("helpdesk:search-open", function (event) {
    var detail = event.detail || {};
    var article = String(detail.article || "");
    lastSearch = null;
    // A result that is not an article (a release note) answered the search too; the
    // service only knows articles, so such a search is simply not reported.
    var item = article ? searchItem(detail, article) : null;
    if (item) send(item);
  });

  window.addEventListener("pagehide", flushSearch);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flushSearch();
  });

  // ---------------------------------------------------------------- start

  function start() {
    setUpAll();
    flush();
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(start);   // Material: every page, instant navigation too
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
