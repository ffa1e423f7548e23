// The header's language switcher goes to the page being read, in the language picked.
// The theme renders its links for the page it served (partials/alternate.html); this
// script keeps them right after instant navigation, which swaps the page's body but not
// the header, and remembers the reader's choice for the site's root page (the chooser).
// Every page has the same path in every language, so the link is this page's path with
// the other language's prefix.
(function () {
  "use strict";
  var KEY = "hd-lang";

  function languageRoot() {
    // This language's site root, from the theme's own config (base is relative).
    var config = document.getElementById("__config");
    var base = ".";
    try { base = JSON.parse(config.textContent).base || "."; } catch (e) { base = "."; }
    return new URL(base.replace(/\/?$/, "/"), window.location.href);
  }

  function update() {
    var list = document.querySelector("[data-hd-languages]");
    if (!list) return;
    var root = languageRoot();
    var here = window.location.href.split("#")[0].split("?")[0];
    if (here.indexOf(root.href) !== 0) return;
    var rest = here.slice(root.href.length);
    list.querySelectorAll("a[hreflang]").forEach(function (link) {
      link.href = new URL("../" + link.getAttribute("hreflang") + "/" + rest, root).href;
    });
  }

  // Capture phase, before the theme's own handler on <body>: that one maps language
  // links through the other site's sitemap and, without one (no site_url), falls back
  // to the other language's home page. Ours already is the right page: let it be.
  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element && event.target.closest("[data-hd-languages] a[hreflang]");
    if (!link) return;
    update();
    try { window.localStorage.setItem(KEY, link.getAttribute("hreflang")); } catch (e) { /* off */ }
    event.stopPropagation();
  }, true);

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(update);  // Material's instant navigation
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", update);
  } else {
    update();
  }
})();
