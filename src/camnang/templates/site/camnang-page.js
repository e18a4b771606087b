/* camnang's page script.
 * - The "Chia sẻ" button of a guide page. Hidden without JavaScript; with
 *   it, the phone's share sheet (the Web Share API: Zalo appears on
 *   Android), else the address is copied and the button says so.
 * - Keyboard in the search dialog: Tab stays inside it while it is open,
 *   and when it closes (Escape) focus goes back to where it was, never to
 *   the page's <body>. */
(function () {
  "use strict";
  var toggle = document.getElementById("__search");
  var before = null;
  if (toggle) {
    var restore = function () {
      setTimeout(function () {
        if (toggle.checked || (document.activeElement && document.activeElement !== document.body)) return;
        var back = before && before !== document.body && document.contains(before) && before.getClientRects().length > 0 ? before
          : document.querySelector(".camnang-home-link");
        if (back) back.focus();
      }, 0);
    };
    // Material closes the search by setting the box (no change event):
    // on Escape, or the dialog's back arrow.
    toggle.addEventListener("change", function () {
      if (toggle.checked) before = document.activeElement; else restore();
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || !toggle.checked) return;
      var field = document.querySelector(".md-search__input");
      if (field && document.activeElement !== field) {
        // From a result: back to the search field, the dialog stays open.
        event.preventDefault();
        event.stopPropagation();
        field.focus();
        return;
      }
      restore();  // from the field: Material closes the search
    }, true);
    document.addEventListener("click", function (event) {
      if (event.target.closest && event.target.closest("label[for='__search']") && toggle.checked) restore();
    }, true);
    // Material closes the search on Tab and focus falls to the page
    // behind; here Tab and Shift+Tab move between the search field, its
    // buttons and its results, and only Escape (or the back arrow) closes.
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Tab" || !toggle.checked) return;
      var dialog = document.querySelector(".md-search__inner");
      if (!dialog) return;
      var stops = Array.prototype.filter.call(
        dialog.querySelectorAll("input:not([type=hidden]), button, a[href]"),
        function (el) { return el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden"; });
      if (!stops.length) return;
      event.preventDefault();
      event.stopPropagation();
      var at = stops.indexOf(document.activeElement);
      var next = at < 0 ? 0 : (at + (event.shiftKey ? -1 : 1) + stops.length) % stops.length;
      stops[next].focus();
    });
  }
  function setUp(root) {
    var buttons = root.querySelectorAll("button.camnang-share[hidden]");
    Array.prototype.forEach.call(buttons, function (button) {
      if (!navigator.share && !(navigator.clipboard && navigator.clipboard.writeText)) return;
      button.hidden = false;
      var label = button.querySelector(".camnang-share__label");
      var idle = label.textContent;
      button.addEventListener("click", function () {
        var url = location.href.split("#")[0].split("?")[0];
        var title = button.getAttribute("data-title") || document.title;
        if (navigator.share) {
          navigator.share({ title: title, url: url }).catch(function () {});
          return;
        }
        navigator.clipboard.writeText(url).then(function () {
          label.textContent = "Đã chép đường dẫn, dán vào Zalo để gửi";
          setTimeout(function () { label.textContent = idle; }, 4000);
        }, function () {
          label.textContent = "Không chép được: hãy chép địa chỉ trang";
        });
      });
    });
  }
  if (typeof document$ !== "undefined" && document$.subscribe) {
    document$.subscribe(function () { setUp(document); });
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  } else {
    setUp(document);
  }
})();
