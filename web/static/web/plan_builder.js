/* The plan builder (web/views/plan_builder): asks before a button removes part of a plan.
   Forms carry data-confirm="question"; without JavaScript they simply submit, and the services
   still refuse to remove anything booked or logged. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    const form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });
})();
