// Copy buttons: <button data-copy-target="#id" data-copied-label="Copied">. One listener for the
// page, so buttons arriving later (htmx swaps) work too.
(function () {
  if (window.salesdeskCopy) return;
  window.salesdeskCopy = true;
  function fallback(source) {
    source.focus();
    source.select();
    document.execCommand("copy");
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) return;
    var source = document.querySelector(button.dataset.copyTarget);
    if (!source) return;
    var text = "value" in source ? source.value : source.textContent;
    var done = function () {
      var label = button.innerHTML;
      button.textContent = button.dataset.copiedLabel || "✓";
      setTimeout(function () { button.innerHTML = label; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallback(source); done(); });
    } else {
      fallback(source);
      done();
    }
  });
})();
