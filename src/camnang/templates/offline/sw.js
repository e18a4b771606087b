/* camnang: the site's service worker, written by camnang.offline at build
 * time. Offline by choice, and cheap on a prepaid data plan (issue 23):
 *
 * - SHELL lists the offline shell (the not-found page, the styles and
 *   scripts every page loads, the search's list of pages and its core word
 *   file, the manifest): [address, revision]. Every other file is listed
 *   in LIST (sw-files.json: [address, revision, bytes, kind] per file),
 *   fetched only when needed: "Lưu tất cả", or after an update of the
 *   site when something besides the shell is stored (once per version,
 *   kept in the store). So this file stays the same size whatever the
 *   number of guides.
 * - The revision is the start of the SHA-256 of the file's bytes; what is
 *   stored carries the revision of its own bytes (header x-camnang-rev,
 *   computed here), so a file is downloaded again only when its content
 *   changed, whatever the version of the site.
 * - install: the shell's files missing or outdated are stored, asked with
 *   "no-cache": the page just loaded most of these, so the server answers
 *   "304 Not Modified" and nothing is downloaded twice.
 * - the page that registered the worker then asks it to keep the page and
 *   its pictures ("keep"); any page or file opened later is stored as it
 *   is shown.
 * - "Lưu tất cả" (the page's button) asks for "save-all": every page and
 *   file (kind "p", "f"; printables over the budget, "x", only when opened)
 *   missing or outdated is downloaded, 4 at a time, each stored at once: a
 *   cut connection loses nothing, and the next page load with a connection
 *   ("keep", "sync") or a tap continues where it stopped.
 * - MARK holds the VERSION the store was last brought up to date with: a
 *   new VERSION (an update of the site) refreshes only the stored files
 *   whose revision changed and drops files the site no longer has (one
 *   cache for all versions, CACHE).
 * - pages: from the network, but after NETWORK_WAIT_MS (weak signal) or
 *   with no connection the stored copy, marked for the page's notice
 *   ("Đang xem khi không có mạng"); a page not stored gets the not-found
 *   page, marked so the page's script offers the button.
 * - other files: the stored copy, else the network (and store it).
 *
 * Hand-written, no build tool (README, "Offline": why not Workbox).
 */
"use strict";

var VERSION = "@@VERSION@@";
var SHELL = [/*@@SHELL@@*/];
var TOTAL = /*@@TOTAL@@*/0;  /* bytes "Lưu tất cả" stores */
var LIST = "@@LIST@@";
var NETWORK_WAIT_MS = /*@@NETWORK_WAIT_MS@@*/0;
var PARALLEL = 4;
var REV_CHARS = /*@@REV_CHARS@@*/16;

var SCOPE = self.registration.scope;
var PREFIX = "camnang:" + SCOPE + ":";
var CACHE = PREFIX + "files";
var FLAG = new URL("__camnang-offline/save-all", SCOPE).href;
var MARK = new URL("__camnang-offline/version", SCOPE).href;
var LIST_URL = new URL(LIST, SCOPE).href;
var NOT_FOUND = new URL("404.html", SCOPE).href;
var REV = "x-camnang-rev";
var OF_VERSION = "x-camnang-version";

var SHELL_REV = Object.create(null);
SHELL.forEach(function (f) { SHELL_REV[new URL(f[0], SCOPE).href] = f[1]; });
/* Kept by the worker itself, never as a file of the site. */
var OWN = Object.create(null);
[FLAG, MARK, LIST_URL, new URL("sw.js", SCOPE).href].forEach(function (key) { OWN[key] = true; });

/* The address a file is stored under: no query (?h= from search, ?v= of
 * the search files) nor fragment, and ".../index.html" as ".../". */
function keyOf(url) {
  var u = new URL(url, SCOPE);
  u.search = "";
  u.hash = "";
  if (/\/index\.html$/.test(u.pathname)) u.pathname = u.pathname.slice(0, -"index.html".length);
  return u.href;
}

function hex(buffer) {
  var bytes = new Uint8Array(buffer), out = "";
  for (var i = 0; i < bytes.length; i++) out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
  return out;
}

function open() {
  return caches.open(CACHE);
}

/* Store a response under key with the revision of its bytes. */
function put(cache, key, response, version) {
  return response.arrayBuffer().then(function (body) {
    return crypto.subtle.digest("SHA-256", body).then(function (digest) {
      var headers = new Headers(response.headers);
      headers.set(REV, hex(digest).slice(0, REV_CHARS));
      if (version) headers.set(OF_VERSION, version);
      headers.delete("content-encoding");
      headers.set("content-length", String(body.byteLength));
      return cache.put(key, new Response(body, { status: response.status, statusText: response.statusText, headers: headers })).then(function () {
        return body;
      });
    });
  });
}

/* key -> revision of what is stored, for every stored file. */
function storedRevs(cache) {
  return cache.keys().then(function (requests) {
    return Promise.all(requests.map(function (request) {
      return cache.match(request).then(function (hit) {
        return [request.url, hit ? hit.headers.get(REV) : null];
      });
    }));
  }).then(function (pairs) {
    var out = Object.create(null);
    pairs.forEach(function (p) { if (!OWN[p[0]]) out[p[0]] = p[1]; });
    return out;
  });
}

function text(cache, key) {
  return cache.match(key).then(function (hit) { return hit ? hit.text() : null; });
}

/* The list of every file (LIST) as key -> {url, rev, size, kind}: the one
 * stored for this VERSION, else from the network (then stored), else
 * (offline) the one stored for an earlier version. */
var byKey = null;
function files(cache) {
  if (byKey) return Promise.resolve(byKey);
  var current = true;
  return cache.match(LIST_URL).then(function (hit) {
    if (hit && hit.headers.get(OF_VERSION) === VERSION) return hit.text();
    return fetch(new Request(LIST_URL, { cache: "no-cache", credentials: "same-origin" })).then(function (response) {
      if (!response.ok) throw new Error(LIST + ": HTTP " + response.status);
      return put(cache, LIST_URL, response, VERSION).then(function (body) {
        return new TextDecoder().decode(body);
      });
    }).then(null, function (err) {
      if (!hit) throw err;
      current = false;
      return hit.text();
    });
  }).then(function (body) {
    var out = Object.create(null);
    JSON.parse(body).forEach(function (f) {
      out[new URL(f[0], SCOPE).href] = { url: f[0], rev: f[1], size: f[2], kind: f[3] };
    });
    if (current) byKey = out;
    return out;
  });
}

/* Download and store keys, PARALLEL at a time; each is stored as soon as
 * it arrives. Resolves with the number stored; rejects on the first
 * network failure (the rest stays for the next time). */
function download(cache, keys, onEach) {
  var queue = keys.slice(), failed = null, count = 0;
  function next() {
    if (failed) return Promise.resolve();
    var key = queue.shift();
    if (key === undefined) return Promise.resolve();
    return fetch(new Request(key, { cache: "no-cache", credentials: "same-origin" }))
      .then(function (response) {
        if (!response.ok) return undefined;  /* gone on the server: skip it */
        return put(cache, key, response).then(function () {
          count++;
          if (onEach) onEach(key);
        });
      })
      .then(next, function (err) { failed = err || new Error("network"); });
  }
  var workers = [];
  for (var i = 0; i < PARALLEL; i++) workers.push(next());
  return Promise.all(workers).then(function () {
    if (failed) throw failed;
    return count;
  });
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    open().then(function (cache) {
      return Promise.all([storedRevs(cache), cache.match(MARK)]).then(function (both) {
        var revs = both[0];
        var keys = Object.keys(SHELL_REV).filter(function (key) { return revs[key] !== SHELL_REV[key]; });
        /* The very first install: nothing stored from before, nothing to
         * bring up to date (a worker of an earlier camnang without MARK
         * left files: those are checked against the list). */
        var first = !both[1] && !Object.keys(revs).some(function (key) { return !SHELL_REV[key]; });
        return (first ? cache.put(MARK, new Response(VERSION)) : Promise.resolve()).then(function () {
          return download(cache, keys);
        });
      });
    }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      /* Caches of earlier camnang workers (one per version). */
      return Promise.all(names.map(function (name) {
        if (name.indexOf(PREFIX) === 0 && name !== CACHE) return caches.delete(name);
        return undefined;
      }));
    }).then(function () {
      return self.clients.claim();
    }).then(function () {
      /* An update: bring what is stored up to date (not waited for: pages
       * are served meanwhile; the next page load continues it). */
      resume();
    })
  );
});

/* ------------------------------------------------------------------------
 * Messages from pages: keep, status, sync, save-all
 * ---------------------------------------------------------------------- */

var busy = null;  /* the running sync or save-all */
var progress = { done: 0, total: 0 };

function broadcast(message) {
  return self.clients.matchAll({ includeUncontrolled: true, type: "window" }).then(function (list) {
    list.forEach(function (client) { client.postMessage(message); });
  });
}

/* What "Lưu tất cả" has left to do: the list is read only once the
 * resident asked for everything (before that, everything is left). */
function status() {
  var cache;
  return open().then(function (c) {
    cache = c;
    return cache.match(FLAG);
  }).then(function (flag) {
    var out = { type: "state", total: TOTAL, missing: TOTAL, saveAll: !!flag, busy: !!busy, version: VERSION };
    if (busy) {
      out.done = progress.done;
      out.todo = progress.total;
    }
    if (!flag) return out;
    return Promise.all([files(cache), storedRevs(cache)]).then(function (both) {
      var list = both[0], revs = both[1];
      out.total = out.missing = 0;
      Object.keys(list).forEach(function (key) {
        var f = list[key];
        if (f.kind === "x") return;
        out.total += f.size;
        if (revs[key] !== f.rev) out.missing += f.size;
      });
      return out;
    }, function () { return out; });
  });
}

/* Bring what is stored up to date with the list: outdated stored files
 * again, files the site no longer has dropped, and when the resident
 * asked for everything, what is still missing. Then MARK = VERSION. */
function sync(all) {
  if (busy) return busy;
  var cache;
  busy = open().then(function (c) {
    cache = c;
    return all ? Promise.all([cache.put(FLAG, new Response("1")), cache.put(MARK, new Response(""))]) : undefined;
  }).then(function () {
    return Promise.all([storedRevs(cache), cache.match(FLAG)]);
  }).then(function (both) {
    /* Only the shell stored (install brought it up to date): no list needed. */
    var onlyShell = !Object.keys(both[0]).some(function (key) { return !SHELL_REV[key]; });
    if (onlyShell && !both[1]) return cache.put(MARK, new Response(VERSION)).then(function () { return null; });
    return files(cache).then(function (list) { return [list, both[0], both[1]]; });
  }).then(function (three) {
    if (!three) return null;  /* nothing to do, MARK written */
    var list = three[0], revs = three[1], saveAll = !!three[2];
    var gone = Object.keys(revs).filter(function (key) { return !list[key]; });
    var keys = Object.keys(list).filter(function (key) {
      var f = list[key];
      if (revs[key] === f.rev) return false;
      if (key in revs) return true;  /* stored, outdated */
      return saveAll && f.kind !== "x";
    });
    progress = { done: 0, total: keys.reduce(function (n, k) { return n + list[k].size; }, 0) };
    var last = 0;
    return Promise.all(gone.map(function (key) { return cache.delete(key); })).then(function () {
      return download(cache, keys, function (key) {
        progress.done += list[key].size;
        var now = Date.now();
        if (now - last > 250) {
          last = now;
          broadcast({ type: "progress", done: progress.done, total: progress.total });
        }
      });
    });
  }).then(function (skipped) {
    /* Offline with the list of an earlier version: not up to date yet. */
    if (skipped === null) return undefined;
    if (!byKey) throw new Error("list of an earlier version");
    return cache.put(MARK, new Response(VERSION));
  }).then(function () {
    busy = null;
  }, function () {
    busy = null;
    return broadcast({ type: "paused" });
  }).then(function () {
    return status().then(broadcast);
  });
  return busy;
}

/* An update not yet applied, or "Lưu tất cả" cut short: continue. */
function resume() {
  if (busy) return busy;
  return open().then(function (cache) {
    return text(cache, MARK);
  }).then(function (mark) {
    return mark === VERSION ? undefined : sync(false);
  });
}

/* The page that registered the worker was loaded before it: store it and
 * what it loaded (from the browser's HTTP cache: "no-cache" revalidates),
 * what is not stored yet. */
function keep(urls) {
  return open().then(function (cache) {
    return storedRevs(cache).then(function (revs) {
      var keys = [];
      urls.forEach(function (url) {
        var key = keyOf(url);
        if (key.indexOf(SCOPE) !== 0 || OWN[key] || key in revs || keys.indexOf(key) !== -1) return;
        keys.push(key);
      });
      return download(cache, keys).then(null, function () { return 0; });
    });
  });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var source = event.source;
  var reply = function (message) { if (source) source.postMessage(message); };
  var work;
  if (data.type === "keep") work = keep(data.urls || []).then(resume);
  else if (data.type === "sync") work = resume();
  else if (data.type === "save-all") work = sync(true);
  else if (data.type === "status") work = status().then(reply);
  else return;
  event.waitUntil(work.then(null, function () { /* reported through state */ }));
});

/* ------------------------------------------------------------------------
 * Fetches
 * ---------------------------------------------------------------------- */

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  if (request.url.indexOf(SCOPE) !== 0) return;
  if (request.mode === "navigate") event.respondWith(page(request));
  else event.respondWith(file(request));
});

function stored(key) {
  return open().then(function (cache) { return cache.match(key); });
}

function keepCopy(key, response) {
  if (response && response.ok && response.type === "basic" && !OWN[key]) {
    var copy = response.clone();
    open().then(function (cache) { return put(cache, key, copy); }).then(null, function () {});
  }
  return response;
}

/* A stored page, with its <body> marked for the page's script: "stored"
 * (the notice) or "missing" (the not-found page standing in for a page
 * never stored: the page's script offers "Lưu tất cả"). */
function marked(response, mark, status) {
  /* A printable opened from a link is a navigation too: never touch it. */
  if (!/^text\/html/i.test(response.headers.get("content-type") || "")) return Promise.resolve(response);
  return response.text().then(function (html) {
    var headers = new Headers(response.headers);
    headers.delete("content-length");
    return new Response(html.replace(/<body\b/i, '<body data-camnang-offline="' + mark + '"'), {
      status: status || response.status,
      statusText: status === 404 ? "Not Found" : response.statusText,
      headers: headers
    });
  });
}

function notFound() {
  return stored(NOT_FOUND).then(function (hit) {
    return hit ? marked(hit, "missing", 404) : Response.error();
  });
}

/* A page: the network's copy when it answers within NETWORK_WAIT_MS, the
 * stored one otherwise (then the network's if nothing is stored). */
function page(request) {
  var key = keyOf(request.url);
  var network = fetch(request).then(function (response) {
    return keepCopy(key, response);
  });
  var timer;
  var late = new Promise(function (resolve) {
    timer = setTimeout(resolve, NETWORK_WAIT_MS);
  });
  return Promise.race([network.then(null, function () { return null; }), late])
    .then(function (response) {
      clearTimeout(timer);
      if (response) return response;
      return stored(key).then(function (hit) {
        if (hit) return marked(hit, "stored");
        return network.then(null, notFound);
      });
    });
}

/* Any other file: stored copy first (a new revision is fetched by sync),
 * except when the page asked to check with the server ("no-cache": the
 * search's list of pages, which names the version of the search files). */
function file(request) {
  var key = keyOf(request.url);
  if (request.cache === "no-cache") {
    return fetch(request).then(function (response) {
      return keepCopy(key, response);
    }, function () {
      return stored(key).then(function (hit) { return hit || Response.error(); });
    });
  }
  return stored(key).then(function (hit) {
    if (hit) return hit;
    return fetch(request).then(function (response) {
      return keepCopy(key, response);
    }, function () {
      return Response.error();
    });
  });
}
