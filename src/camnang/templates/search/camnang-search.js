/* camnang: Vietnamese search that forgives missing diacritics.
 *
 * Why and how it plugs into Material for MkDocs: src/camnang/search.py.
 * The same file runs in two places:
 * - as the search worker of Material's search dialog (the page's __config
 *   points at it): it loads camnang's prebuilt index (search/camnang/) and
 *   answers Material's QUERY messages with results in Material's format;
 * - on every page: it searches on every change of the search box (voice
 *   typing, paste), opens the search from the home page's field, and
 *   highlights the found words on the page a result opens.
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

  if (typeof WorkerGlobalScope !== "undefined" && root instanceof WorkerGlobalScope)
    setupWorker(root);
  else if (root.document)
    setupPage(root.document, root);

  /* ------------------------------------------------------------------------
   * Search worker: Material's SearchMessage protocol, camnang's own index
   * ---------------------------------------------------------------------- */

  /* Material 9.x, integrations/search/worker/message: SearchMessageType. */
  var SETUP = 0, READY = 1, QUERY = 2, RESULT = 3;

  /* Fields of the postings (camnang.search.FIELDS) and their weights: a
   * title or the service ranks above keywords, keywords above a passing
   * mention in the text (Material's title boost is 1000). */
  var TITLE = 0, TEXT = 1, SERVICE = 2, KEYWORDS = 3;
  var TYPO_MIN = 4;
  /* How much a word found weighs by where it is found (rank): in the text,
   * a section title, the page's title or keywords, its service's name. */
  var FOUND_IN = [1, 2, 3, 5];
  /* And each pair of query words side by side, as much as a word found
   * twice in the text (of mean weight). */
  var PAIRED = 2;
  var WEAK_MARK = '<span class="camnang-weak" hidden></span>';  /* words this long forgive one typo */
  var BOOST = [1000, 1, 1000, 100];
  var BLOCK = 4096;  /* position = block * BLOCK + word (BLOCK_BITS = 12) */
  var MAX_WORDS = 32;  /* query words looked at */
  var SNIPPET = 240;  /* characters of a text block shown around a match */
  var FULL_PAGES = 20;  /* pages listed with their sections and text */

  function setupWorker(self) {
    var base = new URL("../../search/camnang/", self.location.href);
    var meta = null;  /* pages.json, with docPage and firstDoc added */
    var files = Object.create(null);  /* file name -> Promise of its JSON */
    var loaded = Object.create(null);  /* file name -> its JSON, once here */
    var latest = "";  /* text of the newest query */
    var seq = 0;  /* number of the newest query */
    var timer = 0;

    function load(name) {
      if (!files[name]) {
        var url = new URL(name, base);
        if (meta) url.searchParams.set("v", meta.version);
        /* pages.json is checked with the server each time: a new build
         * gives a new version, hence new addresses for the other files. */
        var promise = fetch(url.href, meta ? {} : { cache: "no-cache" }).then(function (response) {
          if (!response.ok) throw new Error(url.href + ": HTTP " + response.status);
          return response.json();
        }).then(function (data) {
          loaded[name] = data;
          return data;
        });
        files[name] = promise;
        promise.catch(function () { delete files[name]; });  /* try again later */
      }
      return files[name];
    }

    function ready() {
      if (meta) return Promise.resolve(meta);
      return load("pages.json").then(function (data) {
        if (meta) return meta;
        var docPage = new Int32Array(data.docs);
        var firstDoc = new Int32Array(data.pages.length);
        for (var p = 0, d = 0; p < data.pages.length; p++) {
          firstDoc[p] = d;
          for (var k = 0; k < data.pages[p][4]; k++) docPage[d++] = p;
        }
        data.docPage = docPage;
        data.firstDoc = firstDoc;
        data.splitter = new RegExp(data.separator, "g");
        meta = data;
        return meta;
      });
    }

    self.addEventListener("message", function (ev) {
      var message = ev.data || {};
      if (message.type === SETUP) {
        ready().then(null, function (err) {
          console.warn("camnang search:", err);  /* retried at each query */
        }).then(function () {
          self.postMessage({ type: READY });
        });
      } else if (message.type === QUERY) {
        /* Only the newest text is answered: queries that arrive while one
         * is searched or loading replace each other. */
        latest = String(message.data || "");
        seq++;
        if (!timer) timer = setTimeout(run, 0);
      }
    });

    function run() {
      timer = 0;
      var mine = seq;
      var stale = function () { return mine !== seq; };
      var answer = function (result) {
        if (!stale()) self.postMessage({ type: RESULT, data: result });
      };
      search(latest, stale, answer).then(null, function (err) {
        console.warn("camnang search:", err);
        answer({ items: [] });
      });
    }

    /* Answers a query through `answer`, once or twice: when the section
     * files of the first pages listed are not loaded yet, first the pages
     * in their order as soon as the words are found (titles, keywords:
     * pages.json), then again with their sections and text once those
     * files are here, unless a newer query came meanwhile. Material
     * replaces its list with each answer. */
    function search(query, stale, answer, depth) {
      depth = depth || 0;
      if (!query.trim()) {
        answer({ items: [] });
        return Promise.resolve();
      }
      var words, keys;
      return ready().then(function () {
        words = queryWords(query, meta.splitter);
        keys = [];
        words.forEach(function (w) {
          chunksFor(w.folded, meta.chunks).forEach(function (key) {
            if (keys.indexOf(key) === -1) keys.push(key);
          });
        });
        /* A word file that cannot be read (offline, never stored): the
         * words of every page's title, service and keywords (namesChunk,
         * from pages.json) and of the section titles that tell pages
         * apart (t-core.json, stored on the first visit) stand in for it. */
        var failed = null;
        return Promise.all(keys.map(function (key) {
          return load("t-" + key + ".json").then(null, function (err) { failed = err; return null; });
        })).then(function (chunkData) {
          if (!failed) return [chunkData, null];
          if (!meta.core) throw failed;
          return load("t-" + meta.core + ".json").then(function (core) { return [chunkData, core]; });
        });
      }).then(function (both) {
        if (stale()) return null;
        var chunkData = both[0];
        var chunks = Object.create(null);
        keys.forEach(function (key, i) { if (chunkData[i]) chunks[key] = chunkData[i]; });
        chunks[""] = both[1] ? [namesChunk(meta), both[1]] : null;
        words.forEach(function (w) {
          w.chunks = chunksIn(w.folded, chunks, meta);
        });
        var hits = match(words, meta);
        if (depth < 3) {
          /* Words typed together ("thanhtoan"), found nowhere: search again
           * with the longest word found at its start set apart ("thanh
           * toan"). */
          var found = words.map(function () { return false; });
          hits.forEach(function (hit) {
            for (var i = 0; i < words.length; i++) if (hit.best[i] > 0) found[i] = true;
          });
          var split = splitGlued(words, found);
          if (split !== null) return search(split, stale, answer, depth + 1);
        }
        var pages = rank(words, hits, meta);
        if (!pages.length) {
          /* Nothing at all: the nearest guides, by the first letters of
           * the longer words ("thanhtoan" -> "tha"), as a weak answer. */
          var loose = looseWords(words, chunks, meta);
          if (loose.length) {
            pages = rank(loose, match(loose, meta), meta);
            pages.forEach(function (pg) { pg.weak = true; });
            words = loose;
          }
        }
        if (!pages.length) return answer({ items: [] });
        var names = [];
        pages.slice(0, FULL_PAGES).forEach(function (pg) {
          var name = "d-" + Math.floor(pg.page / meta.group) + ".json";
          if (names.indexOf(name) === -1) names.push(name);
        });
        var missing = names.filter(function (name) { return !loaded[name]; });
        var shown = [];
        answer({ items: present(words, pages, loaded, meta, shown) });
        if (!missing.length) return null;
        return Promise.all(missing.map(load)).then(function () {
          if (!stale()) answer({ items: present(words, pages, loaded, meta, shown) });
        }, function (err) {
          /* The list of pages stays (a section file could not be loaded:
           * offline, before search was ever used online). */
          console.warn("camnang search:", err);
        });
      });
    }
  }

  /* The t-<key>.json files that can hold words starting with a folded
   * query word (camnang.search.chunk_keys): those whose key starts with it
   * ("t" typed: "ta", "th"...) or is the start of it ("thu" typed: "t",
   * "th", "thu"). */
  function chunksFor(word, keys) {
    var c = word.charAt(0);
    if (!((c >= "a" && c <= "z") || (c >= "0" && c <= "9")))
      return keys.indexOf("_") === -1 ? [] : ["_"];
    return keys.filter(function (key) {
      return key !== "_" && (key.lastIndexOf(word, 0) === 0 || word.lastIndexOf(key, 0) === 0);
    });
  }

  /* The loaded word files for a folded query word: its t-<key>.json files,
   * or when one of them could not be loaded, the offline ones (chunks[""]:
   * namesChunk and t-core.json). */
  function chunksIn(word, chunks, meta) {
    var keys = chunksFor(word, meta.chunks);
    var all = keys.every(function (key) { return chunks[key]; });
    if (!all && chunks[""]) return chunks[""];
    return keys.map(function (key) { return chunks[key]; }).filter(Boolean);
  }

  /* The words of every page's title, service and keywords as a word file
   * (the format of t-<key>.json), built from pages.json: the postings
   * camnang.search.build_index writes for these fields (title: block 0;
   * service: block 0; keywords: one block each; words split and counted
   * the same way), so offline search finds every page by its names with
   * no file more than pages.json. */
  function namesChunk(meta) {
    if (meta.namesChunk) return meta.namesChunk;
    var terms = Object.create(null);
    function add(doc, field, blocks) {
      var hits = Object.create(null), order = [];
      for (var b = 0; b < blocks.length; b++) {
        var pos = 0;
        String(blocks[b]).split(meta.splitter).forEach(function (word) {
          if (!word) return;
          var at = pos++;
          var written = word.normalize("NFC").toLowerCase();
          var term = fold(written);
          if (!term) return;
          var t = terms[term] || (terms[term] = { w: [], p: [] });
          var v = t.w.indexOf(written);
          if (v === -1) { v = t.w.length; t.w.push(written); }
          if (!hits[term]) { hits[term] = []; order.push(term); }
          hits[term].push(b * BLOCK + Math.min(at, BLOCK - 1), v);
        });
      }
      order.forEach(function (term) {
        var occ = hits[term], flat = terms[term].p;
        flat.push(doc, field, occ.length / 2);
        for (var i = 0; i < occ.length; i++) flat.push(occ[i]);
      });
    }
    meta.pages.forEach(function (info, p) {
      var doc = meta.firstDoc[p];
      add(doc, TITLE, [info[1]]);
      if (info[2]) add(doc, SERVICE, [info[2]]);
      if (info[3] && info[3].length) add(doc, KEYWORDS, info[3]);
    });
    var out = { k: Object.keys(terms).sort(), w: [], p: [] };
    out.k.forEach(function (term) { out.w.push(terms[term].w); out.p.push(terms[term].p); });
    return (meta.namesChunk = out);
  }

  /* The query with its first word that is found nowhere (`found`) but starts with a
   * word of the index (2 letters or more, 2 or more left) split after the
   * longest such word, or null. */
  function splitGlued(words, found) {
    for (var i = 0; i < words.length; i++) {
      var w = words[i].folded;
      if (w.length < 4 || found[i]) continue;
      var best = "";
      words[i].chunks.forEach(function (chunk) {
        if (!chunk) return;
        for (var end = w.length - 2; end >= 2 && end > best.length; end--) {
          var head = w.slice(0, end);
          var t = lowerBound(chunk.k, head);
          if (t < chunk.k.length && chunk.k[t] === head) { best = head; break; }
        }
      });
      if (best) {
        return words.map(function (x, j) {
          return j === i ? best + " " + w.slice(best.length) : x.typed;
        }).join(" ");
      }
    }
    return null;
  }

  /* The query's words of TYPO_MIN letters or more cut to their first
   * three, each as the start of a word, searched in the word files the
   * query has loaded already (they hold every word these can match). */
  function looseWords(words, chunks, meta) {
    var out = [];
    words.forEach(function (w) {
      if (w.folded.length < TYPO_MIN) return;
      var start = w.folded.slice(0, 3);
      out.push({
        typed: w.typed, folded: start, accented: false, last: true,
        chunks: chunksIn(start, chunks, meta)
      });
    });
    return out;
  }

  /* The query's words: as typed (lower-case, NFC) and folded. The last one
   * is probably still being typed. */
  function queryWords(query, splitter) {
    var out = [];
    var seen = Object.create(null);
    var parts = query.normalize("NFC").toLowerCase().split(splitter);
    for (var i = 0; i < parts.length && out.length < MAX_WORDS; i++) {
      var typed = parts[i];
      if (!typed || seen[typed]) continue;
      var folded = fold(typed);
      if (!folded) continue;
      seen[typed] = true;
      out.push({ typed: typed, folded: folded, accented: folded !== typed, last: false });
    }
    if (out.length) out[out.length - 1].last = true;
    return out;
  }

  function lowerBound(keys, value) {
    var lo = 0, hi = keys.length;
    while (lo < hi) {
      var mid = (lo + hi) >>> 1;
      if (keys[mid] < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /* Every section (doc) containing a word that starts with a query word.
   * How well a word found matches the query word (quality):
   *   3  the whole word, with the diacritics typed (or typed without any),
   *   2  the whole word with other diacritics ("bảo" typed, "báo" found),
   *   1  only a longer word starting with it ("the" typed, "thêm" found).
   * The last query word is probably still being typed: a prefix counts as
   * whole. Per doc and query word: the best quality and a BM25-like score
   * (weighted by field); per doc, every occurrence found, as one number:
   * (position * 4 + field) * 32 + query word. */
  function match(words, meta) {
    var n = words.length;
    var hits = new Map();
    for (var i = 0; i < n; i++) {
      var word = words[i];
      var found = [];  /* [chunk, term number, typo] */
      var whole = false;
      for (var c = 0; c < word.chunks.length; c++) {
        var chunk = word.chunks[c];
        var keys = chunk.k;
        for (var t = lowerBound(keys, word.folded); t < keys.length; t++) {
          if (keys[t].lastIndexOf(word.folded, 0) !== 0) break;
          if (keys[t] === word.folded || word.last) whole = true;
          found.push([chunk, t, false]);
        }
      }
      /* One typo forgiven in words of TYPO_MIN letters or more, when the
       * word as typed is found nowhere whole ("vnied", "vsid"): words one
       * letter off (one letter more, less, changed, or two swapped), and
       * for the word being typed, the starts of words one letter off. */
      if (!whole && word.folded.length >= TYPO_MIN) {
        for (c = 0; c < word.chunks.length; c++) {
          chunk = word.chunks[c];
          for (t = 0; t < chunk.k.length; t++)
            if (oneTypo(word.folded, chunk.k[t]) ||
                (word.last && chunk.k[t].length > word.folded.length && oneTypo(word.folded, chunk.k[t].slice(0, word.folded.length))))
              found.push([chunk, t, true]);
        }
      }
      for (var f = 0; f < found.length; f++) {
        {
          chunk = found[f][0];
          t = found[f][1];
          var term = chunk.k[t];
          var typo = found[f][2];
          var full = typo || term === word.folded || word.last;
          var quality = [];
          for (var v = 0; v < chunk.w[t].length; v++) {
            var written = chunk.w[t][v];
            quality.push(typo ? 2 : !full ? 1 : !word.accented ? 3 :
              written === word.typed || (word.last && written.lastIndexOf(word.typed, 0) === 0) ? 3 : 2);
          }
          var flat = chunk.p[t];
          var df = 0, j = 0, previous = -1;
          while (j < flat.length) {
            if (flat[j] !== previous) { df++; previous = flat[j]; }
            j += 3 + 2 * flat[j + 2];
          }
          var idf = Math.log(1 + Math.abs((meta.docs - df + 0.5) / (df + 0.5)));
          for (j = 0; j < flat.length; j += 3 + 2 * flat[j + 2]) {
            var doc = flat[j], field = flat[j + 1], count = flat[j + 2];
            var hit = hits.get(doc);
            if (!hit) hits.set(doc, hit = newHit(doc, n));
            hit.any |= 1 << field;
            var best = 0;
            for (var o = j + 3; o < j + 3 + 2 * count; o += 2) {
              hit.occ.push((flat[o] * 4 + field) * 32 + i);
              if (quality[flat[o + 1]] > best) best = quality[flat[o + 1]];
            }
            if (best > hit.best[i]) hit.best[i] = best;
            if (best >= 2) {
              hit.fields[i] |= 1 << field;
              if (hit.terms[i].indexOf(term) === -1) hit.terms[i].push(term);
            }
            var score = idf * BOOST[field] * (2.2 * count / (1.2 + count));
            if (score > hit.score[i]) hit.score[i] = score;
          }
        }
      }
    }
    return hits;
  }

  function newHit(doc, n) {
    var best = [], score = [], fields = [], terms = [];
    for (var i = 0; i < n; i++) { best.push(0); score.push(0); fields.push(0); terms.push([]); }
    return { doc: doc, best: best, score: score, fields: fields, terms: terms, occ: [], any: 0, total: 0 };
  }

  /* Whether word j + 1 follows word j somewhere in the doc (same field). */
  function pairs(hit, n, paired) {
    var any = false;
    for (var j = 0; j + 1 < n; j++)
      if (!paired[j] && hit.best[j] > 0 && hit.best[j + 1] > 0) any = true;
    if (!any) return;
    var occ = new Float64Array(hit.occ).sort();
    for (var k = 0; k < occ.length; k++) {
      var i = occ[k] % 32;
      if (i + 1 >= n || paired[i]) continue;
      var want = occ[k] + 128 + 1;
      var lo = k + 1, hi = occ.length;
      while (lo < hi) {
        var mid = (lo + hi) >>> 1;
        if (occ[mid] < want) lo = mid + 1;
        else hi = mid;
      }
      if (lo < occ.length && occ[lo] === want) paired[i] = true;
    }
  }

  /* Whether two words differ by one typo: one letter more, less or
   * changed, or two neighbours swapped (Damerau-Levenshtein distance 1). */
  function oneTypo(a, b) {
    var la = a.length, lb = b.length;
    if (a === b || Math.abs(la - lb) > 1) return false;
    var i = 0;
    while (i < la && i < lb && a.charAt(i) === b.charAt(i)) i++;
    if (la === lb)
      return a.slice(i + 1) === b.slice(i + 1) ||
        (a.charAt(i) === b.charAt(i + 1) && a.charAt(i + 1) === b.charAt(i) && a.slice(i + 2) === b.slice(i + 2));
    return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
  }

  /* The folded words of a text, as a set. */
  function wordSet(text, splitter) {
    var set = Object.create(null);
    fold(text).split(splitter).forEach(function (w) { if (w) set[w] = true; });
    return set;
  }

  /* What a page says it is about, for ranking (cached per page): the
   * words of its service's name (before any bracket: "VNeID" of "VNeID
   * (Căn cước)") and its whole service, title and keywords folded. */
  function pageNames(meta, p) {
    var cache = meta.names || (meta.names = []);
    if (cache[p]) return cache[p];
    var info = meta.pages[p];
    var service = String(info[2] || "");
    var core = service.split(/[(\[]/)[0];
    var whole = Object.create(null);
    var join = function (text) { return fold(text).split(meta.splitter).filter(Boolean).join(" "); };
    [service, core, info[1]].concat(info[3] || []).forEach(function (t) { whole[join(String(t))] = true; });
    return (cache[p] = { core: wordSet(core, meta.splitter), whole: whole, service: join(service), title: join(String(info[1])) });
  }

  /* Pages in the order shown. Material groups its results by page; here
   * pages are ordered by tiers. Each query word found on a page counts
   * by how well it matches (its best quality: 3 as typed, 2 with other
   * diacritics or one typo, 1 as the start of a longer word) plus where
   * it is found: +3 in the name of the page's service, +2 in the page's
   * title, service or keywords, +1 in a section title ("Quên mật khẩu"),
   * nothing more in the text, and once more when the page's title has it
   * too ("Đăng nhập Cổng Dịch vụ công..." before another page of the same
   * service for "dich vu cong"). So a page about the service named comes
   * before pages that only mention the words in passing. Then by how many
   * pairs of consecutive query words stand side by side in one of its
   * sections ("đăng ký" before "đăng nhập ... kỹ năng"), then pages whose
   * service, title or a keyword is exactly the query ("thẻ BHYT"). Within
   * a tier, by the score of the page's best section, which favours the
   * title and the service (and, as Material does, the page itself over a
   * section, and sections with more of the words).
   * (Before all that, for words typed with diacritics, pages that have
   * them as typed before pages that have them only with other
   * diacritics: "bảo" typed, pages with "bảo" before pages with "báo".) Ties go to the page whose service is the query, then
   * one whose title, a keyword or service name is.
   *
   * Whether the first page is a weak answer (`weak` on the list): some
   * query word is missing from it, or one is found only in its text and
   * not side by side with the other words. */
  function rank(words, hits, meta) {
    var n = words.length;
    var pages = new Map();
    hits.forEach(function (hit, doc) {
      var p = meta.docPage[doc];
      var page = pages.get(p);
      if (!page) {
        page = { page: p, best: [], where: [], titled: [], terms: [], paired: [], docs: [], top: 0 };
        for (var k = 0; k < n; k++) { page.best.push(0); page.where.push(0); page.titled.push(0); page.terms.push([]); }
        pages.set(p, page);
      }
      var main = doc === meta.firstDoc[p];
      var names = main ? pageNames(meta, p) : null;
      var matched = 0, sum = 0;
      for (var i = 0; i < n; i++) {
        page.best[i] = Math.max(page.best[i], hit.best[i]);
        if (hit.best[i] > 0) matched++;
        sum += hit.score[i];
        var f = hit.fields[i];
        var where = 0;
        if (main && f & (1 << SERVICE) && hit.terms[i].some(function (t) { return names.core[t]; })) where = 3;
        else if (main && f & (1 << TITLE | 1 << SERVICE | 1 << KEYWORDS)) where = 2;
        else if (f & (1 << TITLE)) where = 1;
        page.where[i] = Math.max(page.where[i], where);
        if (main && f & (1 << TITLE)) page.titled[i] = 1;
        hit.terms[i].forEach(function (t) { if (page.terms[i].indexOf(t) === -1) page.terms[i].push(t); });
      }
      pairs(hit, n, page.paired);
      var boost = (main ? 1 : 0) + matched / n;
      hit.total = sum * (1 + boost * boost);
      page.top = Math.max(page.top, hit.total);
      page.docs.push(hit);
    });
    /* How telling each word is: rarer words weigh more (log(1 + N / df),
     * df the pages where the word is found whole). */
    var df = words.map(function () { return 0; });
    pages.forEach(function (page) {
      for (var i = 0; i < n; i++) if (page.best[i] >= 2) df[i]++;
    });
    var weight = df.map(function (d) { return Math.log(1 + meta.pages.length / Math.max(1, d)); });
    var mean = weight.reduce(function (a, b) { return a + b; }, 0) / Math.max(1, n);
    var out = [];
    pages.forEach(function (page) {
      var together = page.paired.filter(Boolean).length;
      var value = 0, typed = 0;
      for (var i = 0; i < n; i++) {
        value += weight[i] * page.best[i] / 3 * (FOUND_IN[page.where[i]] + page.titled[i]);
        if (page.best[i] === 2 && words[i].accented) typed--;
      }
      page.typed = typed;
      page.exact = exactName(page, meta, n);
      page.value = Math.round((value + PAIRED * (together + page.exact) * mean) * 1000);
      var chained = n > 1 && together === n - 1;
      page.weak = page.best.some(function (b, i) { return b < 2 || (!page.where[i] && !chained); });
      out.push(page);
    });
    return out.sort(function (a, b) {
      return b.typed - a.typed || b.value - a.value || b.exact - a.exact || b.top - a.top || a.page - b.page;
    });
  }

  /* 2 when the page's service is the query (the words found, in order,
   * typos forgiven), 1 when its title, a keyword or the name of its
   * service is, or its title starts with it. */
  function exactName(page, meta, n) {
    var names = pageNames(meta, page.page);
    var level = 0;
    var options = [""];
    for (var i = 0; i < n; i++) {
      var next = [];
      var terms = page.terms[i].slice(0, 4);
      if (!terms.length) return 0;
      options.forEach(function (o) { terms.forEach(function (t) { next.push(o ? o + " " + t : t); }); });
      options = next.slice(0, 16);
    }
    options.forEach(function (o) {
      if (names.service === o) level = 2;
      else if (names.whole[o] || names.title.lastIndexOf(o + " ", 0) === 0) level = Math.max(level, 1);
    });
    return level;
  }

  /* Material's SearchItem[][]: per page, its sections found (best first)
   * and the page itself. Title and text are HTML that Material inserts as
   * is: built here from escaped plain text, with <mark> around the words
   * found. The score orders the pages for Material's Enter key. Material
   * shows ten pages, then more as the list is scrolled: the first
   * FULL_PAGES come with their sections and text (when their d-<n>.json,
   * named in `docs`, is loaded), the others (a long scroll away) as their
   * title only, which keeps a query on a large site fast. `shown` keeps
   * the title-only items of a query for its second answer. */
  function present(words, pages, docs, meta, shown) {
    var splitter = meta.splitter;
    var total = pages.length;
    return pages.map(function (page, r) {
      var group = r < FULL_PAGES && docs["d-" + Math.floor(page.page / meta.group) + ".json"];
      if (!group && shown[r]) return shown[r];
      var base = total - r;
      var info = meta.pages[page.page];
      var location = info[0];
      var first = meta.firstDoc[page.page];
      var found = termsFound(words, page.best);
      var items;
      if (group) {
        var data = group[page.page % meta.group];
        page.docs.sort(function (a, b) { return b.total - a.total || a.doc - b.doc; });
        items = page.docs.map(function (hit) {
          var doc = data[hit.doc - first];
          var main = hit.doc === first;
          return {
            location: location + doc[0],
            title: markWords(doc[1], positionsIn(hit, TITLE, 0), splitter),
            text: snippet(doc[2], hit, splitter),
            terms: main ? found : termsFound(words, hit.best),
            score: base + (page.top > 0 ? 0.99 * hit.total / page.top : 0)
          };
        });
      } else {
        var own = page.docs.filter(function (hit) { return hit.doc === first; })[0];
        items = [{
          location: location,
          title: own ? markWords(info[1], positionsIn(own, TITLE, 0), splitter) : escapeHTML(info[1]),
          text: "",
          terms: found,
          score: base + 0.99
        }];
      }
      var mainItem = items.filter(function (item) { return item.location === location; })[0];
      if (!mainItem) {
        mainItem = { location: location, title: escapeHTML(info[1]), text: "", terms: found, score: base };
        items.push(mainItem);
      }
      /* The keywords, when the query found words in them (first pages,
       * with their sections: a first answer is titles only, the least
       * for a phone to lay out). */
      var own = page.docs.filter(function (hit) { return hit.doc === first; })[0];
      if (group && own && own.any & (1 << KEYWORDS)) {
        var tags = keywordTags(meta, page.page, words);
        if (tags.length) mainItem.tags = tags;
      }
      if (!group) shown[r] = items;
      /* A weak answer: the page script (setupPage) shows help above it. */
      if (r === 0 && page.weak) {
        items = items.map(function (item) {
          var copy = {};
          for (var key in item) copy[key] = item[key];
          copy.title += WEAK_MARK;
          return copy;
        });
      }
      return items;
    });
  }

  /* Material's SearchItem.terms: each query word (as typed) -> found. */
  function termsFound(words, best) {
    var terms = {};
    for (var i = 0; i < words.length; i++) terms[words[i].typed] = best[i] > 0;
    return terms;
  }

  /* Word numbers found in one block of a field of a doc: {word: true}. */
  function positionsIn(hit, field, block) {
    var set = Object.create(null);
    for (var k = 0; k < hit.occ.length; k++) {
      var code = Math.floor(hit.occ[k] / 32);
      if (code % 4 !== field) continue;
      var pos = Math.floor(code / 4);
      if (Math.floor(pos / BLOCK) === block) set[pos % BLOCK] = true;
    }
    return set;
  }

  /* The words of a text with their offsets, split as the index splits
   * them (camnang.search.words): [[start, end], ...]. */
  function wordRanges(text, splitter) {
    var out = [];
    var index = 0;
    var m;
    splitter.lastIndex = 0;
    while ((m = splitter.exec(text))) {
      if (m.index > index) out.push([index, m.index]);
      index = m.index + m[0].length;
      if (!m[0].length) splitter.lastIndex++;
    }
    if (index < text.length) out.push([index, text.length]);
    return out;
  }

  /* Escaped text with the words numbered in `marked` wrapped in <mark>,
   * from character `from` to `to` of it (words split as the index splits
   * them, camnang.search.words). */
  function markWords(text, marked, splitter, from, to) {
    from = from || 0;
    to = to === undefined ? text.length : to;
    var any = false;
    for (var key in marked) { any = true; break; }
    if (!any) return escapeHTML(text.slice(from, to));
    var out = "";
    var cursor = from;
    var index = 0, w = 0, m;
    splitter.lastIndex = 0;
    for (;;) {
      m = splitter.exec(text);
      var end = m ? m.index : text.length;
      if (end > index) {
        if (marked[w] && index >= from && end <= to) {
          out += escapeHTML(text.slice(cursor, index)) + "<mark>" + escapeHTML(text.slice(index, end)) + "</mark>";
          cursor = end;
        }
        w++;
      }
      if (!m || end >= to) break;
      index = m.index + m[0].length;
      if (!m[0].length) splitter.lastIndex++;
    }
    return out + escapeHTML(text.slice(cursor, to));
  }

  /* Up to two text blocks with words found (the first block when only the
   * title matched), each cut to about SNIPPET characters around its first
   * match, as <p> elements. */
  function snippet(blocks, hit, splitter) {
    if (!blocks.length) return "";
    var chosen = [];
    for (var k = 0; k < hit.occ.length; k++) {
      var code = Math.floor(hit.occ[k] / 32);
      if (code % 4 !== TEXT) continue;
      var b = Math.floor(code / 4 / BLOCK);
      if (chosen.indexOf(b) === -1) chosen.push(b);
    }
    chosen.sort(function (x, y) { return x - y; });
    chosen = chosen.filter(function (b) { return b < blocks.length; }).slice(0, 2);
    if (!chosen.length) chosen = [0];
    return chosen.map(function (b) {
      var text = blocks[b];
      var marked = positionsIn(hit, TEXT, b);
      var from = 0, to = text.length;
      if (text.length > SNIPPET) {
        var ranges = wordRanges(text, splitter);
        var firstHit = 0;
        for (var w = 0; w < ranges.length; w++)
          if (marked[w]) { firstHit = ranges[w][0]; break; }
        from = firstHit > SNIPPET / 3 ? firstHit - Math.floor(SNIPPET / 4) : 0;
        to = Math.min(text.length, from + SNIPPET);
        /* whole words only */
        for (var k = 0; k < ranges.length; k++) {
          if (ranges[k][0] < from && ranges[k][1] > from) from = ranges[k][1];
          if (ranges[k][0] < to && ranges[k][1] > to) { to = ranges[k][0]; break; }
        }
      }
      return "<p>" + (from > 0 ? "… " : "") + markWords(text, marked, splitter, from, to).trim() +
        (to < text.length ? " …" : "") + "</p>";
    }).join("");
  }

  /* The first three guide keywords with a word starting with a query word,
   * as safe HTML (a keyword is guide text, untrusted: every character
   * escaped), the matching words marked. */
  function keywordTags(meta, p, words) {
    var keywords = meta.pages[p][3];
    if (!keywords || !keywords.length) return [];
    var cache = meta.keywordWords || (meta.keywordWords = []);
    var split = cache[p] || (cache[p] = keywords.map(keywordWords));
    var terms = words.map(function (w) { return w.folded; });
    var out = [];
    for (var i = 0; i < split.length && out.length < 3; i++) {
      var keyword = String(keywords[i]);
      var html = "";
      var last = 0;
      var hit = false;
      for (var j = 0; j < split[i].length; j++) {
        var w = split[i][j];
        if (!terms.some(function (t) { return w[2].lastIndexOf(t, 0) === 0; })) continue;
        hit = true;
        html += escapeHTML(keyword.slice(last, w[0])) + "<mark>" + escapeHTML(keyword.slice(w[0], w[1])) + "</mark>";
        last = w[1];
      }
      if (hit) out.push(html + escapeHTML(keyword.slice(last)));
    }
    return out;
  }

  /* A keyword's words: [start, end, folded]. */
  function keywordWords(keyword) {
    var WORDS = /[\p{L}\p{N}\p{M}]+/gu;
    var out = [];
    var m;
    keyword = String(keyword);
    while ((m = WORDS.exec(keyword))) out.push([m.index, m.index + m[0].length, fold(m[0])]);
    return out;
  }

  function escapeHTML(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
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

    helpWhenWeak(document, SEARCH_BOX);

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

    /* A result link carries the found words as ?h=, as typed ("bao").
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

  /* When a query finds nothing, or only a weak answer (the worker marks its
   * first result, WEAK_MARK), the help written into every page
   * (camnang.search.add_help: the categories, where to get help) shows
   * above the results, which are then the nearest guides. */
  function helpWhenWeak(document, SEARCH_BOX) {
    var help = document.querySelector(".camnang-search-help");
    var result = document.querySelector("[data-md-component=search-result]");
    var list = result && result.querySelector(".md-search-result__list");
    if (!help || !list) return;
    var update = function () {
      var box = document.querySelector(SEARCH_BOX);
      var query = box ? box.value.trim() : "";
      var items = list.querySelector(".md-search-result__item");
      var weak = !!list.querySelector(".camnang-weak");
      var state = !query ? "" : !items ? "empty" : weak ? "weak" : "";
      if (help.getAttribute("data-state") === state) return;
      help.setAttribute("data-state", state);
      help.hidden = !state;
      var parts = help.querySelectorAll("[data-when]");
      for (var i = 0; i < parts.length; i++)
        parts[i].hidden = parts[i].getAttribute("data-when") !== state;
    };
    new MutationObserver(update).observe(list, { childList: true });
    document.addEventListener("input", function (ev) {
      if (ev.target && ev.target.matches && ev.target.matches(SEARCH_BOX)) setTimeout(update, 0);
    });
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
