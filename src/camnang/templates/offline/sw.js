/* camnang: the site's service worker, written by camnang.offline at build
 * time. Offline by choice, and cheap on a prepaid data plan (issue 23):
 *
 * - FILES lists every file of the site: [address, revision, bytes, kind].
 *   The revision is the start of the SHA-256 of the file's bytes; what is
 *   stored carries the revision of its own bytes (header x-camnang-rev,
 *   computed here), so a file is downloaded again only when its content
 *   changed, whatever the version of the site.
 * - install: the shell (kind "s": the not-found page, the styles and
 *   scripts every page loads, the search's list of pages) is stored, asked
 *   with "no-cache": the page just loaded these, so the server answers
 *   "304 Not Modified" and nothing is downloaded twice.
 * - the page that registered the worker then asks it to keep the page and
 *   its pictures ("keep"); any page opened later is stored as it is shown.
 * - "Lưu tất cả" (the page's button) asks for "save-all": every page and
 *   file (kind "p", "f"; printables over the budget, "x", only when opened)
 *   missing or outdated is downloaded, 4 at a time, each stored at once: a
 *   cut connection loses nothing, and the next "sync" (each page load with
 *   a connection) or a tap continues where it stopped.
 * - one cache for all versions (CACHE): an update refreshes only stored
 *   files whose revision changed and drops files the site no longer has.
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
var FILES = [/*@@PRECACHE@@*/];
var NETWORK_WAIT_MS = /*@@NETWORK_WAIT_MS@@*/0;
var PARALLEL = 4;
var REV_CHARS = /*@@REV_CHARS@@*/16;

var SCOPE = self.registration.scope;
var PREFIX = "camnang:" + SCOPE + ":";
var CACHE = PREFIX + "files";
var FLAG = new URL("__camnang-offline/save-all", SCOPE).href;
var NOT_FOUND = new URL("404.html", SCOPE).href;
var REV = "x-camnang-rev";

var BY_KEY = Object.create(null);
FILES.forEach(function (f) {
  BY_KEY[new URL(f[0], SCOPE).href] = { url: f[0], rev: f[1], size: f[2], kind: f[3] };
});

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
function put(cache, key, response) {
  return response.arrayBuffer().then(function (body) {
    return crypto.subtle.digest("SHA-256", body).then(function (digest) {
      var headers = new Headers(response.headers);
      headers.set(REV, hex(digest).slice(0, REV_CHARS));
      headers.delete("content-encoding");
      headers.set("content-length", String(body.byteLength));
      return cache.put(key, new Response(body, { status: response.status, statusText: response.statusText, headers: headers }));
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
    pairs.forEach(function (p) { out[p[0]] = p[1]; });
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
      return storedRevs(cache).then(function (revs) {
        var keys = Object.keys(BY_KEY).filter(function (key) {
          return BY_KEY[key].kind === "s" && revs[key] !== BY_KEY[key].rev;
        });
        return download(cache, keys);
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
    }).then(open).then(function (cache) {
      /* Files the site no longer has. */
      return cache.keys().then(function (requests) {
        return Promise.all(requests.map(function (request) {
          if (request.url === FLAG || BY_KEY[request.url]) return undefined;
          return cache.delete(request);
        }));
      });
    }).then(function () {
      return self.clients.claim();
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

/* What "Lưu tất cả" has left to do. */
function status() {
  return open().then(function (cache) {
    return Promise.all([storedRevs(cache), cache.match(FLAG)]);
  }).then(function (both) {
    var revs = both[0], out = { type: "state", total: 0, missing: 0, missingFiles: 0, saveAll: !!both[1], busy: !!busy, version: VERSION };
    Object.keys(BY_KEY).forEach(function (key) {
      var f = BY_KEY[key];
      if (f.kind === "x") return;
      out.total += f.size;
      if (revs[key] !== f.rev) {
        out.missing += f.size;
        out.missingFiles++;
      }
    });
    if (busy) {
      out.done = progress.done;
      out.todo = progress.total;
    }
    return out;
  });
}

/* Bring what is stored up to date: outdated stored files again, and when
 * the resident asked for everything, what is still missing. */
function sync(all) {
  if (busy) return busy;
  var cache;
  busy = open().then(function (c) {
    cache = c;
    return all ? cache.put(FLAG, new Response("1")) : undefined;
  }).then(function () {
    return Promise.all([storedRevs(cache), cache.match(FLAG)]);
  }).then(function (both) {
    var revs = both[0], saveAll = !!both[1];
    var keys = Object.keys(BY_KEY).filter(function (key) {
      var f = BY_KEY[key];
      if (revs[key] === f.rev) return false;
      if (key in revs) return true;  /* stored, outdated */
      return saveAll && f.kind !== "x";
    });
    progress = { done: 0, total: keys.reduce(function (n, k) { return n + BY_KEY[k].size; }, 0) };
    var last = 0;
    return download(cache, keys, function (key) {
      progress.done += BY_KEY[key].size;
      var now = Date.now();
      if (now - last > 250) {
        last = now;
        broadcast({ type: "progress", done: progress.done, total: progress.total });
      }
    });
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

/* The page that registered the worker was loaded before it: store it and
 * what it loaded (from the browser's HTTP cache: "no-cache" revalidates). */
function keep(urls) {
  return open().then(function (cache) {
    return storedRevs(cache).then(function (revs) {
      var keys = [];
      urls.forEach(function (url) {
        var key = keyOf(url);
        var f = BY_KEY[key];
        if (f && revs[key] !== f.rev && keys.indexOf(key) === -1) keys.push(key);
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
  if (data.type === "keep") work = keep(data.urls || []).then(function () { return sync(false); });
  else if (data.type === "sync") work = sync(false);
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
  if (response && response.ok && response.type === "basic") {
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
    return BY_KEY[key] ? keepCopy(key, response) : response;
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
      return BY_KEY[key] ? keepCopy(key, response) : response;
    }, function () {
      return stored(key).then(function (hit) { return hit || Response.error(); });
    });
  }
  return stored(key).then(function (hit) {
    if (hit) return hit;
    return fetch(request).then(function (response) {
      return BY_KEY[key] ? keepCopy(key, response) : response;
    }, function () {
      return Response.error();
    });
  });
}
