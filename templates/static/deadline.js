// Registration deadlines judged again in the browser, as a build at this moment would judge them:
// once its moment has passed, an element with data-deadline goes and a hidden one with data-after
// shows. A page left open changes at the next deadline (the call to action is a live region).
(function () {
  function judge() {
    var now = Date.now(), next = Infinity;
    function due(el, name) {
      var at = Date.parse(el.getAttribute(name));
      if (at < now) return true;
      if (at < next) next = at;
      return false;
    }
    document.querySelectorAll("[data-after]").forEach(function (el) {
      if (due(el, "data-after")) { el.hidden = false; el.removeAttribute("data-after"); }
    });
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      if (due(el, "data-deadline")) el.remove();
    });
    if (next < Infinity) setTimeout(judge, Math.min(next - now + 1, 2147483647));
  }
  judge();
})();
