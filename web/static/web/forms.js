/* After a failed submit the error summary takes focus, so screen readers announce it and
   keyboard users start there; its links move focus to each field. */
(function () {
  "use strict";
  const summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
})();
