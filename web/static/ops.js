// The ops console's actions, made through the JSON API with the session cookie (seiko.api adds the
// CSRF header): the low-stock drill, decisions on reorder proposals, stock adjustments, watch edits
// (admin) and order status moves. Pages are rendered on the server; this only acts and reports.
(function () {
  "use strict";

  var POLL_MS = 1000;
  var POLL_TRIES = 90;

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    return node;
  }

  function link(href, text) { return el("a", text, { href: href }); }

  var dollars = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
  function money(amount) { return dollars.format(Number(amount)); }

  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  // --- The low-stock drill -------------------------------------------------------------------------

  function waitForJob(id, tries) {
    return seiko.api("GET", "/api/v1/ops/jobs/" + id).then(function (job) {
      if (job.status === "done" || job.status === "failed" || tries <= 0) { return job; }
      return sleep(POLL_MS).then(function () { return waitForJob(id, tries - 1); });
    });
  }

  function say(status, parts) {
    status.replaceChildren();
    parts.forEach(function (part) { status.appendChild(typeof part === "string" ? el("p", part) : part); });
  }

  function showOutcome(job, status) {
    if (job.status === "queued" || job.status === "running") {
      var still = el("p", "Job #" + job.id + " is still " + job.status + ". Is a worker running? ");
      still.appendChild(link("/ops/reorders?status=pending", "Check the pending proposals later"));
      say(status, [still]);
      return null;
    }
    var run = link("/ops/decisions/" + job.decision_id, "See the agent run");
    if (job.status === "failed") {
      var failed = el("p", "The stock agent's run failed: " + (job.error || "no reason recorded") + ". ");
      if (job.decision_id) { failed.appendChild(run); }
      say(status, [failed]);
      seiko.toast("The drill's agent run failed", "error");
      return null;
    }
    return Promise.all([seiko.api("GET", "/api/v1/ops/reorders?limit=200"),
                        seiko.api("GET", "/api/v1/ops/decisions/" + job.decision_id)]).then(function (got) {
      var list = got[0], decision = got[1];
      var made = list.items.filter(function (p) { return p.decision_id === job.decision_id; });
      // What the run did not do is shown beside what it did, never hidden behind "finished".
      var skipped = null;
      if (decision.skipped && decision.skipped.length) {
        skipped = el("ul", null, { "class": "plain", id: "drill-skipped" });
        decision.skipped.forEach(function (s) { skipped.appendChild(el("li", s.subject + ": " + s.reason)); });
      }
      var notDone = skipped ? [el("p", decision.skipped.length + " low-stock watch" +
                                       (decision.skipped.length === 1 ? " was" : "es were") + " not proposed:"),
                               skipped] : [];
      refreshOverview();
      var links = el("p");
      links.appendChild(link("/ops/reorders?run=" + job.decision_id, "Review and decide"));
      links.appendChild(document.createTextNode(" · "));
      links.appendChild(run);
      if (!made.length) {
        say(status, [el("p", "The run finished without new proposals.")].concat(notDone, [links]));
        seiko.toast("Drill finished: no new proposals", "info");
        return;
      }
      var items = el("ul", null, { "class": "plain", id: "drill-proposals" });
      made.forEach(function (p) {
        var item = el("li");
        item.appendChild(link("/ops/reorders?run=" + job.decision_id + "#proposal-" + p.id,
                              p.reference + " × " + p.quantity));
        item.appendChild(document.createTextNode(" (" + p.status + ", " + money(p.total_cost) + ")"));
        items.appendChild(item);
      });
      say(status, [el("p", "The stock agent proposed " + made.length + " reorder" + (made.length === 1 ? "" : "s") +
                           ":"), items].concat(notDone, [links]));
      seiko.toast("Drill finished: " + made.length + " new proposal" + (made.length === 1 ? "" : "s"), "success");
    });
  }

  // The overview's figures and lists change with a drill: fetch the page again and swap them in.
  function refreshOverview() {
    var parts = document.querySelectorAll("[data-refresh]");
    if (!parts.length) { return; }
    fetch(window.location.pathname, { credentials: "same-origin" }).then(function (r) { return r.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        parts.forEach(function (part) {
          var next = fresh.querySelector("[data-refresh='" + part.getAttribute("data-refresh") + "']");
          if (next) { part.replaceWith(next); }
        });
      }).catch(function () { /* the figures stay as they were; the panel above says what happened */ });
  }

  function runDrill(button) {
    var status = document.getElementById("drill-status");
    button.disabled = true;
    say(status, ["Starting the drill…"]);
    seiko.api("POST", "/api/v1/ops/drills/low-stock").then(function (receipt) {
      say(status, ["Alert " + receipt.fingerprint + " recorded; stock-agent job #" + receipt.job.id +
                   " queued. Waiting for the agent…"]);
      return waitForJob(receipt.job.id, POLL_TRIES);
    }).then(function (job) {
      return showOutcome(job, status);
    }).catch(function (error) {
      say(status, ["The drill could not run: " + error.message]);
      seiko.report(error);
    }).finally(function () { button.disabled = false; });
  }

  // --- Reorder proposals ---------------------------------------------------------------------------

  function settle(card, proposal, message) {
    var pill = card.querySelector("[data-role=status]");
    pill.textContent = proposal.status;
    pill.className = "pill " + proposal.status;
    var actions = card.querySelector("[data-role=actions]");
    var note = el("p", message, { "class": "decided", tabindex: "-1" });
    actions.replaceWith(note);
    note.focus();
  }

  function decide(card, id, verb, body) {
    var buttons = card.querySelectorAll("[data-role=actions] button");
    buttons.forEach(function (b) { b.disabled = true; });
    return seiko.api("POST", "/api/v1/ops/reorders/" + id + "/" + verb, body).then(function (p) {
      var messages = {
        approve: "Approved " + p.reference + " × " + p.quantity + ": now on order (" + money(p.total_cost) + ").",
        reject: "Rejected " + p.reference + " × " + p.quantity + ": " + p.decision_reason,
        receive: "Received " + p.quantity + " × " + p.reference + ": added to stock.",
      };
      settle(card, p, messages[verb]);
      seiko.toast(messages[verb], verb === "reject" ? "info" : "success");
    }).catch(function (error) {
      buttons.forEach(function (b) { b.disabled = false; });
      seiko.report(error);
    });
  }

  // --- Inventory and orders ------------------------------------------------------------------------

  function field(form, name) { return form.elements.namedItem(name); }

  function adjust(form) {
    var delta = parseInt(field(form, "delta").value, 10);
    if (delta === 0) { seiko.toast("An adjustment must change stock", "error"); return; }
    var reference = form.dataset.reference;
    seiko.api("POST", "/api/v1/admin/inventory/" + encodeURIComponent(reference) + "/adjustments",
              { delta: delta, reason: field(form, "reason").value }).then(function (result) {
      seiko.toastNext("Stock of " + result.reference + " is now " + result.stock_available, "success");
      window.location.reload();
    }).catch(seiko.report);
  }

  function editWatch(form) {
    var reference = form.dataset.reference;
    seiko.api("PATCH", "/api/v1/admin/watches/" + encodeURIComponent(reference), {
      price: field(form, "price").value, unit_cost: field(form, "unit_cost").value,
      pack_size: parseInt(field(form, "pack_size").value, 10),
      min_order_qty: parseInt(field(form, "min_order_qty").value, 10), active: field(form, "active").checked,
    }).then(function () {
      seiko.toastNext(reference + " saved", "success");
      window.location.reload();
    }).catch(seiko.report);
  }

  function moveOrder(form) {
    var id = form.dataset.id;
    var status = field(form, "status").value;
    var reason = field(form, "reason").value.trim();
    seiko.api("PATCH", "/api/v1/admin/orders/" + id, { status: status, reason: reason || null }).then(function (o) {
      seiko.toastNext("Order #" + o.id + " is now " + o.status.replace("_", " "), "success");
      window.location.reload();
    }).catch(seiko.report);
  }

  function refundOrder(form) {
    var id = form.dataset.id;
    if (!window.confirm("Refund " + form.dataset.total + " of order #" + id + " through the payment provider?")) { return; }
    form.querySelector("button").disabled = true;
    seiko.api("POST", "/api/v1/orders/" + id + "/refund").then(function (o) {
      seiko.toastNext(o.status === "refunded" ? "Order #" + o.id + " refunded; its watches are back in stock"
                                              : "Refund of order #" + o.id + " sent; waiting for the provider", "success");
      window.location.reload();
    }).catch(function (error) { form.querySelector("button").disabled = false; seiko.report(error); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var drill = document.getElementById("run-drill");
    if (drill) { drill.addEventListener("click", function () { runDrill(drill); }); }

    document.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-action]");
      if (!button) { return; }
      var card = button.closest("[data-proposal]");
      if (card && button.dataset.action === "approve") {
        // Ops may settle on another quantity; the agent's own stays on record as proposed_quantity.
        var input = card.querySelector("[data-role=quantity]");
        var quantity = input ? parseInt(input.value, 10) : NaN;
        var changed = !isNaN(quantity) && String(quantity) !== input.defaultValue;
        decide(card, button.dataset.id, "approve", changed ? { quantity: quantity } : undefined);
      } else if (card && button.dataset.action === "receive") {
        decide(card, button.dataset.id, button.dataset.action);
      }
    });

    // Forms are checked by the browser first (required, lengths): `submit` fires only when they pass.
    document.addEventListener("submit", function (event) {
      var form = event.target;
      var action = form.dataset.action;
      if (!action) { return; }
      event.preventDefault();
      if (action === "reject") {
        decide(form.closest("[data-proposal]"), form.dataset.id, "reject",
               { reason: field(form, "reason").value.trim() });
      } else if (action === "adjust") {
        adjust(form);
      } else if (action === "edit-watch") {
        editWatch(form);
      } else if (action === "move-order") {
        moveOrder(form);
      } else if (action === "refund-order") {
        refundOrder(form);
      }
    });
  });
})();
