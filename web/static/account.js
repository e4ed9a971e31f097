// Sign-in and registration forms: the JSON API, errors shown beside the form, then on to `next`.
(function () {
  "use strict";

  // Each invalid field by its label on the page, in words ("Password: Use at least 10 characters").
  function fieldErrors(error) { return window.seiko.describe(error); }

  function wire(formId, errorId, submit) {
    var form = document.getElementById(formId);
    if (!form) { return; }
    var errorBox = document.getElementById(errorId);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      errorBox.hidden = true;
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      var data = Object.fromEntries(new FormData(form).entries());
      submit(data).then(function (customer) {
        window.seiko.toastNext("Signed in as " + customer.email, "success");
        window.location.href = form.dataset.next || "/";
      }).catch(function (error) {
        errorBox.textContent = fieldErrors(error);
        errorBox.hidden = false;
        button.disabled = false;
        errorBox.focus();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var api = window.seiko.api;
    wire("login-form", "login-error", function (data) {
      return api("POST", "/api/v1/auth/session", { email: data.email, password: data.password });
    });
    wire("register-form", "register-error", function (data) {
      return api("POST", "/api/v1/auth/register", data).then(function () {
        return api("POST", "/api/v1/auth/session", { email: data.email, password: data.password });
      });
    });
  });
})();
