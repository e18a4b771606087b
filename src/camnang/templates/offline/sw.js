/* camnang: the site's service worker, written by camnang.offline at build
 * time. After one visit with a connection, the site opens without one.
 *
 * - install: store every address of PRECACHE in a cache named after this
 *   build's VERSION (a digest of every file of the site);
 * - activate: delete this site's caches of other versions, take control of
 *   open pages;
 * - pages: from the network, but after NETWORK_WAIT_MS (weak signal) or
 *   with no connection the stored copy; else the 404 page;
 * - other files: the stored copy, else the network (and store it).
 */
"use strict";

var VERSION = "@@VERSION@@";
var PRECACHE = [/*@@PRECACHE@@*/];
var NETWORK_WAIT_MS = /*@@NETWORK_WAIT_MS@@*/0;
var PARALLEL = 6;

var PREFIX = "camnang:" + self.registration.scope + ":";
var CACHE = PREFIX + VERSION;
var NOT_FOUND = new URL("404.html", self.location).href;
var PRINTABLES = new URL("in-an/", self.location).href;

/* The address a file is stored under: no query (?h= from search) nor
 * fragment, and ".../index.html" as ".../". */
function keyOf(url) {
  var u = new URL(url, self.location);
  u.search = "";
  u.hash = "";
  if (/\/index\.html$/.test(u.pathname)) u.pathname = u.pathname.slice(0, -"index.html".length);
  return u.href;
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      var queue = PRECACHE.slice();
      function next() {
        var url = queue.shift();
        if (url === undefined) return Promise.resolve();
        var key = keyOf(url);
        /* Bypass the HTTP cache: a new version must store new files. */
        return fetch(new Request(key, { cache: "reload", credentials: "same-origin" }))
          .then(function (response) {
            if (response.ok) return cache.put(key, response);
            /* A missing printable must not cost the whole site offline. */
            if (key.indexOf(PRINTABLES) === 0) return undefined;
            throw new Error(key + ": HTTP " + response.status);
          })
          .then(next);
      }
      var workers = [];
      for (var i = 0; i < PARALLEL; i++) workers.push(next());
      return Promise.all(workers);
    }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.map(function (name) {
        if (name.indexOf(PREFIX) === 0 && name !== CACHE) return caches.delete(name);
        return undefined;
      }));
    }).then(function () {
      return self.clients.claim();
    })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  if (request.url.indexOf(self.registration.scope) !== 0) return;
  if (request.mode === "navigate") event.respondWith(page(request));
  else event.respondWith(file(request));
});

function stored(key) {
  return caches.open(CACHE).then(function (cache) { return cache.match(key); });
}

function keep(key, response) {
  if (response && response.ok && response.type === "basic") {
    var copy = response.clone();
    caches.open(CACHE).then(function (cache) { return cache.put(key, copy); });
  }
  return response;
}

function notFound() {
  return stored(NOT_FOUND).then(function (hit) {
    return hit
      ? new Response(hit.body, { status: 404, statusText: "Not Found", headers: hit.headers })
      : Response.error();
  });
}

/* A page: the network's copy when it answers within NETWORK_WAIT_MS, the
 * stored one otherwise (then the network's if nothing is stored). */
function page(request) {
  var key = keyOf(request.url);
  var network = fetch(request).then(function (response) {
    return keep(key, response);
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
        if (hit) return hit;
        return network.then(null, notFound);
      });
    });
}

/* Any other file: stored copy first (they change only with a new version). */
function file(request) {
  var key = keyOf(request.url);
  return stored(key).then(function (hit) {
    if (hit) return hit;
    return fetch(request).then(function (response) {
      return keep(key, response);
    }, function () {
      return Response.error();
    });
  });
}
