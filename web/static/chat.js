// The shopping assistant panel: asks POST /api/v1/chat for a server-sent event stream and shows the
// answer sentence by sentence while the model writes it (each one already checked against live
// prices and stock), then the watches it cited as cards.
(function () {
  "use strict";
  var seiko = window.seiko;
  var sessionKey = "chat-session";

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function card(product) {
    var link = element("a", "chat-card");
    link.href = "/watches/" + encodeURIComponent(product.reference);
    var image = element("img");
    image.src = product.image_url; image.alt = ""; image.width = 56; image.height = 56;
    link.appendChild(image);
    var text = element("span");
    text.appendChild(element("strong", "", product.name));
    text.appendChild(element("span", "", "$" + product.price + " · " +
      (product.stock_available > 0 ? product.stock_available + " in stock" : "out of stock")));
    link.appendChild(text);
    return link;
  }

  // Reads "event: name\ndata: json\n\n" frames from a fetch body as they arrive.
  function readEvents(response, onEvent) {
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffer = "";
    function pump() {
      return reader.read().then(function (chunk) {
        if (chunk.done) { return; }
        buffer += decoder.decode(chunk.value, { stream: true });
        var frames = buffer.split("\n\n");
        buffer = frames.pop();
        frames.forEach(function (frame) {
          var name = "message", data = "";
          frame.split("\n").forEach(function (line) {
            if (line.indexOf("event: ") === 0) { name = line.slice(7); }
            else if (line.indexOf("data: ") === 0) { data += line.slice(6); }
          });
          if (data) { onEvent(name, JSON.parse(data)); }
        });
        return pump();
      });
    }
    return pump();
  }

  function ask(message, log) {
    log.appendChild(element("li", "from-shopper", message));
    var answer = element("li", "from-assistant");
    var text = element("p", "answer");
    answer.appendChild(text);
    log.appendChild(answer);
    log.setAttribute("aria-busy", "true");
    var body = { message: message };
    var session = sessionStorage.getItem(sessionKey);
    if (session) { body.session_id = session; }
    var headers = { "Content-Type": "application/json", "Accept": "text/event-stream",
                    "X-CSRF-Token": seiko.cookie("seiko_csrf") };
    return fetch("/api/v1/chat", { method: "POST", headers: headers, credentials: "same-origin",
                                   body: JSON.stringify(body) })
      .then(function (response) {
        if (!response.ok) {
          return response.json().catch(function () { return {}; }).then(function (problem) {
            throw new Error(problem.detail || "The assistant could not answer (" + response.status + ")");
          });
        }
        return readEvents(response, function (name, data) {
          if (name === "delta") { text.textContent += data.text; }
          // The model's earlier words are void (it went on to look things up, or its provider failed).
          else if (name === "reset") { text.textContent = ""; }
          else if (name === "error") { throw new Error(data.detail); }
          else if (name === "products" && data.length) {
            var cards = element("div", "chat-cards");
            cards.setAttribute("aria-label", "Watches mentioned");
            data.forEach(function (product) { cards.appendChild(card(product)); });
            answer.appendChild(cards);
          } else if (name === "done") {
            sessionStorage.setItem(sessionKey, data.session_id);
            var source = data.provider === "offline"
              ? "Answered offline from the catalog search (no AI model was available)"
              : "Answered by " + (data.model || data.provider);
            answer.appendChild(element("p", "source", source));
          }
          log.scrollTop = log.scrollHeight;
        });
      })
      .catch(function (error) { answer.remove(); seiko.toast(error.message, "error"); })
      .finally(function () { log.setAttribute("aria-busy", "false"); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.getElementById("chat-toggle");
    if (!toggle) { return; }
    var panel = document.getElementById("chat-panel");
    var form = document.getElementById("chat-form");
    var input = document.getElementById("chat-message");
    var log = document.getElementById("chat-log");
    function open(show) {
      panel.hidden = !show;
      toggle.setAttribute("aria-expanded", String(show));
      if (show) { input.focus(); } else { toggle.focus(); }
    }
    toggle.addEventListener("click", function () { open(panel.hidden); });
    document.getElementById("chat-close").addEventListener("click", function () { open(false); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var message = input.value.trim();
      if (!message) { return; }
      input.value = "";
      var send = document.getElementById("chat-send");
      send.disabled = true;
      ask(message, log).finally(function () { send.disabled = false; input.focus(); });
    });
  });
})();
