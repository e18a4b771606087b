/* camnang: register the service worker that keeps the site usable offline
 * (src/camnang/offline.py says what it stores). Browsers allow one only on
 * https and on localhost; elsewhere this does nothing. */
(function () {
  "use strict";
  if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
  var script = document.currentScript;
  if (!script || !script.src) return;
  /* This file is assets/javascripts/camnang-offline.js: the site root is two
   * folders up, whatever the page's depth or the site's base path. */
  var root = new URL("../../", script.src);
  function register() {
    navigator.serviceWorker
      .register(new URL("sw.js", root).href, { scope: root.href })
      .catch(function () { /* no storage allowed: the site works online */ });
  }
  if (document.readyState === "complete") register();
  else window.addEventListener("load", register);
})();
