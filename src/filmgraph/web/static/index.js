// The entity index: filter the lists as you type (the form does the same on the server
// without JavaScript). A group with no entity left is hidden; the count says what is shown.
(function () {
  "use strict";
  var input = document.getElementById("index-q");
  var count = document.getElementById("index-count");
  if (!input) return;
  var groups = Array.prototype.slice.call(document.querySelectorAll(".index-group"));
  function filter() {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    var types = 0;
    groups.forEach(function (group) {
      var left = 0;
      group.querySelectorAll("li").forEach(function (item) {
        var name = item.getAttribute("data-name");
        var keep = words.every(function (word) { return name.indexOf(word) !== -1; });
        item.hidden = !keep;
        if (keep) left += 1;
      });
      group.hidden = left === 0;
      shown += left;
      if (left) types += 1;
    });
    count.textContent = words.length
      ? shown + " entit" + (shown === 1 ? "y" : "ies") + " in " + types + " type" + (types === 1 ? "" : "s") + " match “" + input.value.trim() + "”."
      : count.getAttribute("data-all");
  }
  count.setAttribute("data-all", count.textContent.trim());
  input.addEventListener("input", filter);
})();
