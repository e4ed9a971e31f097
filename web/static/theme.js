// Dark mode: follows the system unless the shopper chose; the choice is remembered.
(function () {
  var root = document.documentElement;
  var saved = localStorage.getItem("theme");
  var dark = saved ? saved === "dark" : window.matchMedia("(prefers-color-scheme: dark)").matches;
  function apply() {
    root.dataset.theme = dark ? "dark" : "light";
    var button = document.getElementById("theme-toggle");
    if (button) { button.setAttribute("aria-pressed", String(dark)); button.textContent = dark ? "Light mode" : "Dark mode"; }
  }
  apply();
  document.addEventListener("DOMContentLoaded", function () {
    apply();
    document.getElementById("theme-toggle").addEventListener("click", function () {
      dark = !dark; localStorage.setItem("theme", dark ? "dark" : "light"); apply();
    });
  });
})();
