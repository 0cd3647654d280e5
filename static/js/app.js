// Holme CRM's own script: start DKFDS components and give htmx requests the CSRF token.
document.addEventListener("DOMContentLoaded", function () {
  if (window.DKFDS && typeof window.DKFDS.init === "function") {
    window.DKFDS.init();
  }
  // DKFDS names the overflow entry of a too-long main menu "Mere" in every language; use the page's own word.
  var menu = document.querySelector(".navigation-menu [data-more-label]");
  var more = document.querySelector(".navigation-menu .more-button span");
  if (menu && more) {
    more.textContent = menu.getAttribute("data-more-label");
  }
  var meta = document.querySelector('meta[name="csrf-token"]');
  document.body.addEventListener("htmx:configRequest", function (event) {
    if (meta) {
      event.detail.headers["X-CSRFToken"] = meta.getAttribute("content");
    }
  });
});
