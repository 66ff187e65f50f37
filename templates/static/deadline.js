// Once a registration deadline has passed, replace its link by the "closed" notice.
document.querySelectorAll("a[data-deadline]").forEach(function (a) {
  if (Date.parse(a.dataset.deadline) < Date.now()) {
    var p = document.createElement("p");
    p.className = "notice";
    p.textContent = a.dataset.closed;
    a.replaceWith(p);
  }
});
