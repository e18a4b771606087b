/* camnang: small page fixes for screen readers (loaded on every page).
 *
 * The "Cần chuẩn bị" list is drawn as check boxes (pymdownx.tasklist) that
 * cannot be ticked: give each the text of its item as a name, so a screen
 * reader says what it is rather than "check box, unlabelled". */
(function (document) {
  "use strict";
  function label() {
    var boxes = document.querySelectorAll(".task-list-item input[type=checkbox]");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      if (box.hasAttribute("aria-label")) continue;
      var item = box.closest(".task-list-item");
      var text = item ? item.textContent.replace(/\s+/g, " ").trim() : "";
      box.setAttribute("aria-label", text || "Mục cần chuẩn bị");
    }
  }
  if (document.readyState === "loading")
    document.addEventListener("DOMContentLoaded", label);
  else
    label();
})(document);
