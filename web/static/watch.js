// The watch page's "Add to cart": adds to what is already in the cart (a guest's cart too: it joins
// the account's cart at sign-in).
(function () {
  "use strict";
  var seiko = window.seiko;

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("add-to-cart");
    if (!form) { return; }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var reference = form.dataset.reference;
      var wanted = parseInt(form.elements.quantity.value, 10);
      seiko.api("GET", "/api/v1/cart").then(function (cart) {
        var line = cart.items.find(function (item) { return item.reference === reference; });
        var quantity = (line ? line.quantity : 0) + wanted;
        return seiko.api("PUT", "/api/v1/cart/items/" + encodeURIComponent(reference), { quantity: quantity });
      }).then(function (cart) {
        var count = cart.items.reduce(function (sum, item) { return sum + item.quantity; }, 0);
        seiko.toast("Added to your cart (" + count + " item" + (count === 1 ? "" : "s") + ")", "success");
        var badge = document.querySelector("a[href='/cart'] .badge");
        if (badge) { badge.textContent = count; badge.setAttribute("aria-label", count + " items"); }
        else {
          var link = document.querySelector("a[href='/cart']");
          if (link) { link.insertAdjacentHTML("beforeend", ' <span class="badge"></span>'); link.querySelector(".badge").textContent = count; }
        }
      }).catch(seiko.report);
    });
  });
})();
