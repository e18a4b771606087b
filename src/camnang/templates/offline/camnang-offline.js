/* camnang: offline by choice (src/camnang/offline.py, README "Offline").
 *
 * On every page:
 * - registers the service worker (sw.js) once the page has loaded, and asks
 *   it to keep this page and what it loaded (nothing is downloaded twice);
 * - adds, at the end of the article, the "Lưu tất cả để xem khi mất mạng
 *   (2,4 MB)" button: only this button downloads every page and printable;
 *   it shows the progress, continues after a cut, then "Đã lưu ...";
 * - a page served from the phone's store says "Đang xem khi không có mạng";
 *   the not-found page standing in for a page never stored says so and
 *   offers the button; offline, search results not stored are marked.
 * Browsers allow a service worker only on https and on localhost; elsewhere
 * this does nothing.
 */
(function () {
  "use strict";
  if (!("serviceWorker" in navigator) || !window.isSecureContext || !window.caches) return;
  var script = document.currentScript;
  if (!script || !script.src) return;
  /* This file is assets/javascripts/camnang-offline.js: the site root is two
   * folders up, whatever the page's depth or the site's base path. */
  var root = new URL("../../", script.src);
  /* Bytes "Lưu tất cả" stores, written in by the build. */
  var SAVE_ALL_BYTES = /*@@SAVE_ALL_BYTES@@*/0;

  var TEXT = {
    save: "Lưu tất cả để xem khi mất mạng",
    more: "Lưu tiếp để xem khi mất mạng",
    saving: "Đang lưu để xem khi mất mạng…",
    saved: "Đã lưu {size} để xem khi mất mạng",
    paused: "Mất mạng giữa chừng. Phần đã lưu vẫn còn; khi có mạng, bấm để lưu tiếp.",
    hint: "Lưu mọi hướng dẫn và tờ rơi vào máy để xem khi không có mạng. Chỉ tải khi bạn bấm.",
    stored: "Đang xem khi không có mạng",
    missing: "Trang này chưa được lưu trên máy nên không mở được khi mất mạng. Khi có mạng trở lại, bấm nút “Lưu tất cả” ở cuối trang để xem mọi trang cả khi không có mạng.",
    notStored: "Chưa lưu trên máy",
    searchOffline: "Đang không có mạng: chỉ tìm được trong những gì đã lưu trên máy. Khi có mạng, bấm “Lưu tất cả để xem khi mất mạng” ở cuối trang để tìm được mọi hướng dẫn."
  };

  /* 2412345 -> "2,4 MB"; 85000 -> "85 KB" (Vietnamese decimal comma). */
  function size(bytes) {
    if (bytes >= 1e6) return (Math.round(bytes / 1e5) / 10).toFixed(1).replace(".", ",") + " MB";
    return Math.max(1, Math.round(bytes / 1e3)) + " KB";
  }

  function keyOf(url) {
    var u = new URL(url, location.href);
    u.search = "";
    u.hash = "";
    if (/\/index\.html$/.test(u.pathname)) u.pathname = u.pathname.slice(0, -"index.html".length);
    return u.href;
  }

  function style() {
    var css =
      ".camnang-offline{margin:2em 0 1em;padding:.8em 1em;border:2px solid var(--md-primary-fg-color);border-radius:.3rem}" +
      ".camnang-offline p{margin:.3em 0}" +
      ".camnang-offline button{font:inherit;font-weight:700;min-height:44px;padding:.4em 1em;border-radius:.2rem;cursor:pointer;" +
      "color:var(--md-primary-bg-color);background:var(--md-primary-fg-color);border:2px solid var(--md-primary-fg-color);text-align:left}" +
      ".camnang-offline button[disabled]{cursor:default;opacity:.85}" +
      ".camnang-offline progress{width:100%;height:.8em}" +
      ".camnang-offline-notice{margin:0 0 1em;padding:.3em .6em;border-radius:.2rem;background:#fff3cd;color:#3d2c00;font-weight:600}" +
      ".camnang-offline-missing{margin-left:.5em;font-size:.85em;font-weight:600;color:#8a1c00}" +
      ".camnang-offline-search{margin:0;padding:.4em .8rem;background:#fff3cd;color:#3d2c00;font-size:.8rem}";
    var el = document.createElement("style");
    el.textContent = css;
    document.head.appendChild(el);
  }

  function article() {
    return document.querySelector("article.md-content__inner") || document.querySelector(".md-content__inner");
  }

  /* ---- The notice on a page from the store ---- */
  var mark = document.body && document.body.getAttribute("data-camnang-offline");
  function notice() {
    var where = article();
    if (!where || !mark) return;
    var p = document.createElement("p");
    p.className = "camnang-offline-notice";
    p.setAttribute("role", "status");
    p.textContent = mark === "missing" ? TEXT.missing : TEXT.stored;
    where.insertBefore(p, where.firstChild);
  }

  /* ---- The button ---- */
  var box, button, line, bar;
  var state = { total: SAVE_ALL_BYTES, missing: SAVE_ALL_BYTES, saveAll: false, busy: false };

  function panel() {
    var where = article();
    if (!where) return;
    box = document.createElement("section");
    box.className = "camnang-offline";
    box.setAttribute("aria-label", TEXT.save);
    line = document.createElement("p");
    line.setAttribute("aria-live", "polite");
    line.textContent = TEXT.hint;
    button = document.createElement("button");
    button.type = "button";
    button.className = "camnang-offline__save";
    bar = document.createElement("progress");
    bar.max = 100;
    bar.hidden = true;
    box.appendChild(line);
    box.appendChild(button);
    box.appendChild(bar);
    where.appendChild(box);
    button.addEventListener("click", saveAll);
    show();
  }

  function show(progress) {
    if (!box) return;
    var done = state.total > 0 && state.missing === 0 && state.saveAll;
    box.setAttribute("data-state", progress ? "saving" : done ? "saved" : state.paused ? "paused" : "ready");
    if (progress) {
      var pct = progress.total ? Math.floor((100 * progress.done) / progress.total) : 0;
      button.disabled = true;
      button.textContent = TEXT.saving + " " + pct + "%";
      bar.hidden = false;
      bar.value = pct;
      return;
    }
    bar.hidden = true;
    if (done) {
      button.hidden = true;
      line.textContent = TEXT.saved.replace("{size}", size(state.total));
      return;
    }
    button.hidden = false;
    button.disabled = false;
    var partial = state.missing < state.total;
    button.textContent = (partial && state.saveAll ? TEXT.more : TEXT.save) + " (" + size(partial && state.saveAll ? state.missing : state.total) + ")";
    if (state.paused) line.textContent = TEXT.paused;
  }

  function worker() {
    return navigator.serviceWorker.ready.then(function (reg) { return reg.active; });
  }

  function saveAll() {
    state.paused = false;
    show({ done: 0, total: state.missing || state.total });
    worker().then(function (sw) { sw.postMessage({ type: "save-all" }); });
  }

  navigator.serviceWorker.addEventListener("message", function (event) {
    var m = event.data || {};
    if (m.type === "state") {
      state.total = m.total;
      state.missing = m.missing;
      state.saveAll = m.saveAll;
      show(m.busy && m.saveAll ? { done: m.done || 0, total: m.todo || m.missing } : null);
    } else if (m.type === "progress") {
      if (box && box.getAttribute("data-state") === "saving") show(m);
    } else if (m.type === "paused") {
      state.paused = true;
    }
  });

  /* ---- Search, when offline ----
   * Results whose page is not stored say so; while not everything is
   * stored, the search says it looks only in what is. */
  function markResults() {
    var hint = document.querySelector(".camnang-offline-search");
    var offline = !navigator.onLine;
    var partial = !(state.saveAll && state.missing === 0);
    var meta = document.querySelector(".md-search-result__meta");
    var query = document.querySelector("input.md-search__input");
    if (meta && offline && partial && query && query.value.trim()) {
      if (!hint) {
        hint = document.createElement("p");
        hint.className = "camnang-offline-search";
        hint.setAttribute("role", "status");
        hint.textContent = TEXT.searchOffline;
        meta.parentNode.insertBefore(hint, meta.nextSibling);
      }
    } else if (hint) {
      hint.parentNode.removeChild(hint);
    }
    if (!offline) return;
    var links = document.querySelectorAll(".md-search-result__link:not([data-camnang-checked])");
    Array.prototype.forEach.call(links, function (link) {
      link.setAttribute("data-camnang-checked", "");
      caches.match(keyOf(link.href)).then(function (hit) {
        if (hit) return;
        var tag = document.createElement("span");
        tag.className = "camnang-offline-missing";
        tag.textContent = TEXT.notStored;
        var title = link.querySelector("h1, h2") || link;
        title.appendChild(tag);
      });
    });
  }

  /* A new worker (a new version of the site) took over: it brings what is
   * stored up to date, downloading only files whose content changed. */
  navigator.serviceWorker.addEventListener("controllerchange", function () {
    var sw = navigator.serviceWorker.controller;
    if (sw) sw.postMessage({ type: "sync" });
  });

  function start() {
    style();
    notice();
    var list = document.querySelector(".md-search-result");
    if (list && window.MutationObserver)
      new MutationObserver(markResults).observe(list, { childList: true, subtree: true, characterData: true });
    navigator.serviceWorker
      .register(new URL("sw.js", root).href, { scope: root.href })
      .then(function () {
        /* The button only where a worker can store (not where the browser
         * refuses one: then the site simply works online). */
        panel();
        return worker();
      })
      .then(function (sw) {
        /* This page and what it loaded, from the browser's own cache. */
        var urls = [location.href];
        (performance.getEntriesByType ? performance.getEntriesByType("resource") : []).forEach(function (e) {
          if (e.name.indexOf(root.href) === 0) urls.push(e.name);
        });
        sw.postMessage({ type: "keep", urls: urls });
        sw.postMessage({ type: "status" });
        if (navigator.serviceWorker.startMessages) navigator.serviceWorker.startMessages();
      })
      .catch(function () { /* no storage allowed: the site works online */ });
  }
  if (document.readyState === "complete") start();
  else window.addEventListener("load", start);
})();
