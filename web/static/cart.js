// The cart page: change quantities, remove lines, and check out into an order that reserves stock.
(function () {
  "use strict";
  var seiko = window.seiko;

  function reload(message) { if (message) { seiko.toastNext(message, "success"); } window.location.reload(); }

  // One key per checkout attempt, kept across a retry (double click, flaky network): the server
  // answers a retried key with the same order instead of placing a second one.
  function checkoutKey() {
    var key = sessionStorage.getItem("checkout-key");
    if (!key) { key = "web-" + crypto.randomUUID(); sessionStorage.setItem("checkout-key", key); }
    return key;
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input.qty").forEach(function (input) {
      input.addEventListener("change", function () {
        var quantity = parseInt(input.value, 10);
        if (!(quantity >= 1 && quantity <= 100)) { seiko.toast("Choose between 1 and 100", "error"); return; }
        seiko.api("PUT", "/api/v1/cart/items/" + encodeURIComponent(input.dataset.reference), { quantity: quantity })
          .then(function () { reload("Cart updated"); }).catch(seiko.report);
      });
    });
    document.querySelectorAll("button.remove").forEach(function (button) {
      button.addEventListener("click", function () {
        seiko.api("DELETE", "/api/v1/cart/items/" + encodeURIComponent(button.dataset.reference))
          .then(function () { reload("Removed from your cart"); }).catch(seiko.report);
      });
    });
    var form = document.getElementById("checkout-form");
    if (form) {
      var checkout = document.getElementById("checkout");
      var errorBox = document.getElementById("checkout-error");
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        errorBox.hidden = true;
        var data = Object.fromEntries(new FormData(form).entries());
        var method = data.method;
        delete data.method;
        if (!data.line2) { delete data.line2; }
        if (!data.region) { delete data.region; }
        checkout.disabled = true;
        seiko.api("POST", "/api/v1/cart/checkout", { shipping: { address: data, method: method } },
                  { "Idempotency-Key": checkoutKey() })
          .then(function (order) {
            sessionStorage.removeItem("checkout-key");
            seiko.toastNext("Order #" + order.id + " placed: the watches are reserved while you pay", "success");
            window.location.href = "/orders/" + order.id;
          })
          .catch(function (error) {
            checkout.disabled = false;
            // A changed address is a new request: the next attempt gets its own key.
            sessionStorage.removeItem("checkout-key");
            errorBox.textContent = seiko.describe(error);
            errorBox.hidden = false;
            errorBox.focus();
          });
      });
    }
  });
})();
