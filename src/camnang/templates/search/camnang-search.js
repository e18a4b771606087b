/* camnang: Vietnamese search that forgives missing diacritics.
 *
 * Why and how this hooks into Material for MkDocs: src/camnang/search.py.
 * The same file runs in two places:
 * - appended to Material's lunr/min/lunr.vi.min.js, it runs inside the search
 *   worker: it folds the indexed words and the query words alike, and ranks
 *   pages containing all the words first;
 * - loaded on every page, it searches on every change of the search box (voice
 *   typing, paste) and highlights the found words on the page a result opens.
 */
(function (root) {
  "use strict";

  /* Marks dropped after NFD. Generated at build time from Python's
   * unicodedata.combining(), so fold() here equals camnang.text.fold(). */
  var MARKS = /[@@MARKS@@]/gu;

  /* "Đăng ký" -> "dang ky": đ/Đ (a letter of its own, which NFD does not
   * decompose) to d/D, then every tone and vowel mark dropped, lower-cased. */
  function fold(text) {
    return String(text)
      .replace(/đ/g, "d")
      .replace(/Đ/g, "D")
      .normalize("NFD")
      .replace(MARKS, "")
      .normalize("NFC")
      .toLowerCase();
  }

  root.camnangSearch = { fold: fold };

  if (root.lunr && root.lunr.Index && root.lunr.Builder)
    setupWorker(root.lunr);
  else if (root.document)
    setupPage(root.document, root);

  /* ------------------------------------------------------------------------
   * Search worker: lunr 2.3.9 as bundled by Material 9.x
   * ---------------------------------------------------------------------- */

  function setupWorker(lunr) {
    var WORD = "camnangWord";  /* the word as written, lower-cased */
    var typed = Object.create(null);  /* folded query word -> as typed */
    var keywordsOf = Object.create(null);  /* location -> keywords as written */

    /* Index pipeline, last step: fold the token. Its position metadata is
     * untouched, so Material still highlights the original "bảo" in the
     * result list when the query was "bao". */
    function foldToken(token) {
      token.metadata[WORD] = token.toString().normalize("NFC");
      return token.update(fold);
    }
    lunr.Pipeline.registerFunction(foldToken, "camnangFold");

    /* lunr.vi leaves its stop-word filter unregistered, so lunr warns in the
     * console on every page; register it before Material uses it. */
    var stop = lunr.vi && lunr.vi.stopWordFilter;
    if (stop && !stop.label) lunr.Pipeline.registerFunction(stop, "stopWordFilter-vi");

    /* Material configures the builder (language, pipeline, fields) and then
     * adds the documents: complete the configuration at the first add. */
    var add = lunr.Builder.prototype.add;
    lunr.Builder.prototype.add = function (doc, attributes) {
      if (doc && Array.isArray(doc.keywords))
        keywordsOf[doc.location] = doc.keywords.map(String);
      if (!this.camnangReady) {
        this.camnangReady = true;
        this.pipeline.add(foldToken);
        /* Query terms get exactly the same treatment; Material leaves lunr's
         * English stemmer in the search pipeline of non-English languages. */
        this.searchPipeline.reset();
        this.searchPipeline.add(foldToken);
        this.metadataWhitelist = this.metadataWhitelist.concat([WORD]);
      }
      return add.call(this, doc, attributes);
    };

    /* Fold every query term. Material appends a wildcard to each term and
     * lunr skips the search pipeline for wildcard terms, so folding in the
     * pipeline alone would miss nearly every query. */
    var clause = lunr.Query.prototype.clause;
    lunr.Query.prototype.clause = function (c) {
      if (typeof c.term === "string" && !(WORD in c)) {
        c[WORD] = c.term.normalize("NFC").toLowerCase();
        c.term = fold(c.term);
        typed[c.term.replace(/\*/g, "")] = c[WORD].replace(/\*/g, "");
      }
      return clause.call(this, c);
    };

    /* Rank the results: see rank() below. */
    var query = lunr.Index.prototype.query;
    lunr.Index.prototype.query = function (fn) {
      var clauses = [];
      var results = query.call(this, function (q) {
        fn.call(q, q);
        clauses = q.clauses.slice();
      });
      return rank(results, clauses, lunr.Query.presence.PROHIBITED);
    };

    /* Results as the page shows them (Material renders a document's title,
     * text and tags): the first three guide keywords that matched become
     * tags, with their highlight, and the query words keep the diacritics
     * typed, in the "missing" line and in the ?h= of the result link. */
    var post = root.postMessage;
    if (typeof post === "function")
      root.postMessage = function (message) {
        var items = message && message.data && message.data.items;
        if (Array.isArray(items)) {
          items.forEach(function (group) {
            if (Array.isArray(group)) group.forEach(present);
          });
          typed = Object.create(null);
        }
        return post.apply(root, arguments);
      };

    /* Material inserts each tag into the result list as HTML. A keyword is
     * guide text, untrusted: the tag is built here from the keyword as
     * written, every character of it escaped, with <mark> around the words
     * that match a query word; Material's own highlighted copy (raw keyword
     * text with marks inserted) never reaches the page. */
    function present(doc) {
      var written = keywordsOf[doc.location];
      delete doc.keywords;
      if (written) {
        var terms = Object.keys(typed).filter(Boolean);
        var found = [];
        for (var i = 0; i < written.length && found.length < 3; i++) {
          var tag = markKeyword(written[i], terms);
          if (tag !== null) found.push(tag);
        }
        if (found.length) doc.tags = (doc.tags || []).concat(found);
      }
      if (doc.terms) {
        var terms = {};
        for (var term in doc.terms) terms[typed[term] || term] = doc.terms[term];
        doc.terms = terms;
      }
    }
  }

  function escapeHTML(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  /* The keyword as safe HTML, its words starting with a (folded) query word
   * marked; null when no word matches. */
  function markKeyword(keyword, terms) {
    var WORDS = /[\p{L}\p{N}\p{M}]+/gu;
    var out = "";
    var last = 0;
    var hit = false;
    var m;
    while ((m = WORDS.exec(keyword))) {
      var folded = fold(m[0]);
      if (!terms.some(function (t) { return folded.indexOf(t) === 0; })) continue;
      hit = true;
      out += escapeHTML(keyword.slice(last, m.index)) + "<mark>" + escapeHTML(m[0]) + "</mark>";
      last = m.index + m[0].length;
    }
    return hit ? out + escapeHTML(keyword.slice(last)) : null;
  }

  function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  /* The query words (clauses) as the ranking needs them. */
  function queryWords(clauses, prohibited) {
    var words = [];
    for (var i = 0; i < clauses.length; i++) {
      var c = clauses[i];
      if (c.presence === prohibited) continue;
      var core = c.term.replace(/\*/g, "");
      if (!core) continue;
      var written = (c.camnangWord || c.term).replace(/\*/g, "");
      words.push({
        match: new RegExp("^" + c.term.split("*").map(escapeRegExp).join(".*") + "$"),
        core: core,
        typed: written,
        accented: fold(written) !== written,
        wildcard: c.term.indexOf("*") !== -1,
        last: false
      });
    }
    if (words.length) words[words.length - 1].last = true;
    return words;
  }

  /* How well an index term matches a query word:
   *   3  the whole word, with the diacritics typed (or typed without any),
   *   2  the whole word with other diacritics ("bảo" typed, "báo" found),
   *   1  only a longer word starting with it ("the" typed, "thêm" found).
   * The last word is probably still being typed: a prefix counts as whole. */
  function quality(word, term, fields) {
    var whole = !word.wildcard || term === word.core || word.last;
    if (!whole) return 1;
    if (!word.accented) return 3;
    for (var field in fields) {
      var written = fields[field].camnangWord || [];
      for (var i = 0; i < written.length; i++) {
        var w = written[i];
        if (w === word.typed || (word.last && w.indexOf(word.typed) === 0)) return 3;
      }
    }
    return 2;
  }

  /* Material splits each page into sections (one search document each) and
   * groups the results by page, in score order. Re-score so that pages are
   * ordered by tiers: first by how well the page covers the query words
   * (the sum of their best quality() on the page: all the words before
   * some), then by how many pairs of consecutive query words stand side by
   * side in it ("đăng ký" before "đăng nhập ... kỹ năng"). Within a tier,
   * lunr's score still orders (title and service boosted over the text),
   * and so do Material's boosts (whole page over section, all words in one
   * section): they multiply by at most 5, the tiers are 16 times apart. */
  function rank(results, clauses, prohibited) {
    var words = queryWords(clauses, prohibited);
    if (!words.length || !results.length) return results;
    var n = words.length;

    var pages = Object.create(null);
    var top = 0;
    for (var r = 0; r < results.length; r++) {
      var result = results[r];
      var id = result.ref.split("#")[0];
      var page = pages[id] || (pages[id] = {
        best: words.map(function () { return 0; }),
        pairs: words.map(function () { return false; })
      });
      var positions = {};  /* field -> word index -> positions */
      var metadata = result.matchData.metadata;
      for (var term in metadata)
        for (var i = 0; i < n; i++) {
          if (!words[i].match.test(term)) continue;
          page.best[i] = Math.max(page.best[i], quality(words[i], term, metadata[term]));
          for (var field in metadata[term]) {
            var at = positions[field] || (positions[field] = words.map(function () { return []; }));
            at[i] = at[i].concat(metadata[term][field].position || []);
          }
        }
      /* Positions are block << 20 | index: side by side means + 1. */
      for (var f in positions)
        for (var j = 0; j + 1 < n; j++) {
          var next = positions[f][j + 1];
          if (positions[f][j].some(function (p) { return next.indexOf(p + 1) !== -1; }))
            page.pairs[j] = true;
        }
      top = Math.max(top, result.score);
    }

    var tiers = [];
    var sum = function (a, b) { return a + b; };
    for (var key in pages) {
      var pg = pages[key];
      pg.tier = pg.best.reduce(sum, 0) * n + pg.pairs.filter(Boolean).length;
      if (tiers.indexOf(pg.tier) === -1) tiers.push(pg.tier);
    }
    tiers.sort(function (a, b) { return a - b; });

    for (var k = 0; k < results.length; k++) {
      var res = results[k];
      var level = Math.min(tiers.indexOf(pages[res.ref.split("#")[0]].tier), 250);
      res.score = (1 + (top > 0 ? res.score / top : 0)) * Math.pow(16, level);
    }
    return results.sort(function (a, b) { return b.score - a.score; });
  }

  /* ------------------------------------------------------------------------
   * Pages
   * ---------------------------------------------------------------------- */

  function setupPage(document, window) {
    var SEARCH_BOX = "[data-md-component=search-query]";

    /* Material searches on key release only. Voice typing, pasting and some
     * phone keyboards change the box without one: search then too. Material
     * ignores repeated values. */
    document.addEventListener("input", function (ev) {
      var el = ev.target;
      if (el && el.matches && el.matches(SEARCH_BOX))
        el.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }));
    });

    /* No pile-up while typing: Material sends the search worker one query
     * per key, and the worker answers them all in turn, so on a large site
     * the results of the last word arrive long after the last key. Keep at
     * most one query in flight: a key released while one runs is held back
     * (only the box's latest text matters), and sent when the results of the
     * running query arrive. */
    var start = document.querySelector(SEARCH_BOX);
    var gate = { busy: false, held: false, sent: start ? start.value : "", timer: 0 };
    function release() {
      gate.busy = false;
      window.clearTimeout(gate.timer);
      if (gate.held) {
        gate.held = false;
        var box = document.querySelector(SEARCH_BOX);
        if (box) box.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }));
      }
    }
    document.addEventListener("keyup", function (ev) {
      var el = ev.target;
      if (!el || !el.matches || !el.matches(SEARCH_BOX)) return;
      if (el.value === gate.sent) return;  /* Material ignores it anyway */
      if (!el.value.trim()) {  /* cleared: Material asks the worker nothing */
        gate.sent = el.value;
        return;
      }
      if (gate.busy) {
        ev.stopPropagation();  /* capture phase: Material never sees it */
        gate.held = true;
        return;
      }
      gate.busy = true;
      gate.sent = el.value;
      /* Never hold keys for long if no result comes (empty query). */
      gate.timer = window.setTimeout(release, 1500);
    }, true);
    var list = document.querySelector(".md-search-result");
    if (list && window.MutationObserver)
      new MutationObserver(function () {
        if (gate.busy) release();
      }).observe(list, { childList: true, subtree: true, characterData: true });

    /* The home page's own search field opens Material's search: the same
     * search, in its full-screen dialog, with what was typed so far. */
    var home = document.getElementById("camnang-home-search");
    if (home) {
      var open = function (ev) {
        if (ev) ev.preventDefault();
        var toggle = document.getElementById("__search");
        var box = document.querySelector(SEARCH_BOX);
        if (!toggle || !box) return;
        var text = home.value;
        home.value = "";
        if (!toggle.checked) {
          toggle.checked = true;
          toggle.dispatchEvent(new Event("change", { bubbles: true }));
        }
        box.focus();
        if (text) {
          box.value = text;
          box.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }));
        }
      };
      home.addEventListener("focus", open);
      home.addEventListener("input", open);
      if (home.form) home.form.addEventListener("submit", open);
    }

    /* A result link carries the found words as ?h=, already folded ("bao").
     * Material's own highlighter would look for them literally and miss
     * "bảo": take the parameter away before Material reads it (when the
     * document is loaded), mark the words ourselves, then put it back. */
    var url = new URL(window.location.href);
    var h = url.searchParams.get("h");
    if (!h) return;
    var terms = h.split(/\s+/).map(fold).filter(Boolean);
    var full = url.href;
    url.searchParams.delete("h");
    window.history.replaceState(window.history.state, "", url.href);

    function run() {
      var content = document.querySelector("[data-md-component=content]");
      if (content && terms.length) highlight(document, content, terms);
      window.history.replaceState(window.history.state, "", full);
    }
    if (document.readyState === "loading")
      document.addEventListener("DOMContentLoaded", run);
    else
      run();
  }

  /* Wrap each word of the content whose folded form starts with a term. */
  function highlight(document, content, terms) {
    var WORDS = /[\p{L}\p{N}\p{M}]+/gu;
    var SKIP = "script, style, svg, mark, .headerlink";
    var walker = document.createTreeWalker(content, NodeFilter.SHOW_TEXT);
    var nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);

    nodes.forEach(function (node) {
      if (!node.parentElement || node.parentElement.closest(SKIP)) return;
      var text = node.nodeValue;
      var parts = [];
      var last = 0;
      var m;
      WORDS.lastIndex = 0;
      while ((m = WORDS.exec(text))) {
        var folded = fold(m[0]);
        var hit = terms.some(function (t) { return folded.indexOf(t) === 0; });
        if (!hit) continue;
        parts.push(document.createTextNode(text.slice(last, m.index)));
        var mark = document.createElement("mark");
        mark.setAttribute("data-md-highlight", "");
        mark.textContent = m[0];
        parts.push(mark);
        last = m.index + m[0].length;
      }
      if (!parts.length) return;
      parts.push(document.createTextNode(text.slice(last)));
      node.replaceWith.apply(node, parts);
    });
  }
})(typeof self !== "undefined" ? self : this);
