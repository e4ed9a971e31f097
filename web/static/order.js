// Paying for an order: the simulated provider's outcome buttons, or Stripe Elements when Stripe is on.
(function () {
  "use strict";
  var seiko = window.seiko;

  function startPayment(orderId) { return seiko.api("POST", "/api/v1/orders/" + orderId + "/payment"); }

  function simulated(section) {
    var orderId = section.dataset.order;
    section.querySelectorAll("button[data-outcome]").forEach(function (button) {
      button.addEventListener("click", function () {
        section.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
        startPayment(orderId)
          .then(function () {
            return seiko.api("POST", "/api/v1/orders/" + orderId + "/payment/simulate", { outcome: button.dataset.outcome });
          })
          .then(function (order) {
            var paid = order.status === "paid";
            seiko.toastNext(paid ? "Payment received (simulated). Thank you!" : "The card was declined (simulated)",
                            paid ? "success" : "error");
            window.location.reload();
          })
          .catch(function (error) {
            section.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
            seiko.report(error);
          });
      });
    });
  }

  function stripe(section) {
    var orderId = section.dataset.order;
    var form = document.getElementById("stripe-form");
    var errorBox = document.getElementById("stripe-error");
    if (typeof window.Stripe !== "function") {
      errorBox.textContent = "Stripe could not be loaded; check your connection and reload the page.";
      errorBox.hidden = false;
      return;
    }
    var client = window.Stripe(section.dataset.publishableKey);
    startPayment(orderId).then(function (payment) {
      var elements = client.elements({ clientSecret: payment.client_secret });
      elements.create("payment").mount("#payment-element");
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        client.confirmPayment({ elements: elements, confirmParams: { return_url: location.origin + "/orders/" + orderId } })
          .then(function (result) {
            // On success Stripe redirects to return_url; we only get here with an error to show.
            if (result.error) { errorBox.textContent = result.error.message; errorBox.hidden = false; errorBox.focus(); }
          });
      });
    }).catch(seiko.report);
  }

  function refundRequest() {
    var form = document.getElementById("refund-form");
    if (!form) { return; }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var reason = document.getElementById("refund-reason").value.trim();
      form.querySelector("button").disabled = true;
      seiko.api("POST", "/api/v1/orders/" + form.closest("section").dataset.order + "/refund",
                { reason: reason || null })
        .then(function () { seiko.toastNext("Refund requested; we will let you know", "success"); window.location.reload(); })
        .catch(function (error) { form.querySelector("button").disabled = false; seiko.report(error); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    refundRequest();
    var section = document.getElementById("payment");
    if (!section) { return; }
    if (section.dataset.simulated === "true") { simulated(section); } else { stripe(section); }
    document.getElementById("cancel-order").addEventListener("click", function () {
      if (!window.confirm("Cancel this order? The watches go back on sale.")) { return; }
      seiko.api("POST", "/api/v1/orders/" + section.dataset.order + "/cancel")
        .then(function () { seiko.toastNext("Order cancelled", "info"); window.location.reload(); })
        .catch(seiko.report);
    });
  });
})();
