// The storefront's small shared script: JSON API calls with the session's CSRF token, toasts,
// sign-out, and `data-action` buttons. Page-specific behaviour lives in its own file.
(function () {
  "use strict";

  function cookie(name) {
    var match = document.cookie.split("; ").find(function (c) { return c.indexOf(name + "=") === 0; });
    return match ? decodeURIComponent(match.slice(name.length + 1)) : "";
  }

  // A failed call rejects with an Error carrying the problem+json body (status, code, detail).
  function api(method, path, body, extraHeaders) {
    var headers = Object.assign({ "Accept": "application/json" }, extraHeaders || {});
    if (method !== "GET") { headers["X-CSRF-Token"] = cookie("seiko_csrf"); }
    if (body !== undefined) { headers["Content-Type"] = "application/json"; }
    return fetch(path, {
      method: method, headers: headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(function (response) {
      if (response.status === 204) { return null; }
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.ok) { return data; }
        var error = new Error(data.detail || data.title || ("Request failed (" + response.status + ")"));
        error.status = response.status; error.code = data.code; error.problem = data;
        throw error;
      });
    });
  }

  function toast(message, kind) {
    var region = document.getElementById("toasts");
    if (!region) { return; }
    var item = document.createElement("div");
    item.className = "toast " + (kind || "info");
    item.textContent = message;
    region.appendChild(item);
    setTimeout(function () { item.classList.add("leaving"); }, 4500);
    setTimeout(function () { item.remove(); }, 5000);
  }

  // A message to show on the next page (e.g. after a redirect), kept for one navigation.
  function toastNext(message, kind) {
    sessionStorage.setItem("toast", JSON.stringify({ message: message, kind: kind || "info" }));
  }

  function signedIn() { return document.body.dataset.signedIn === "true"; }

  function goSignIn() {
    window.location.href = "/account/login?next=" + encodeURIComponent(location.pathname + location.search);
  }

  // Reports an API error as a toast; an ended session sends the shopper to sign in.
  function report(error) {
    if (error.status === 401) { toastNext("Please sign in again", "info"); goSignIn(); return; }
    toast(error.message, "error");
  }

  // An error in words for a form: each invalid field by its label on the page, else the detail.
  function describe(error) {
    var problems = (error.problem && error.problem.errors) || [];
    if (!problems.length) { return error.message; }
    return problems.map(function (e) {
      var field = e.loc[e.loc.length - 1];
      var input = document.querySelector("[name='" + field + "']");
      var label = input && input.id ? document.querySelector("label[for='" + input.id + "']") : null;
      var name = label ? (label.firstChild ? label.firstChild.textContent : label.textContent).trim() : "";
      return (name || String(field).replace(/_/g, " ")) + ": " + e.msg;
    }).join("; ");
  }

  window.seiko = { api: api, toast: toast, toastNext: toastNext, report: report, signedIn: signedIn,
                   goSignIn: goSignIn, cookie: cookie, describe: describe };

  document.addEventListener("DOMContentLoaded", function () {
    var pending = sessionStorage.getItem("toast");
    if (pending) {
      sessionStorage.removeItem("toast");
      try { var t = JSON.parse(pending); toast(t.message, t.kind); } catch (e) { /* ignore a stale value */ }
    }
    var signOut = document.getElementById("sign-out");
    if (signOut) {
      signOut.addEventListener("click", function () {
        api("DELETE", "/api/v1/auth/session").then(function () {
          toastNext("Signed out", "info");
          window.location.href = "/";
        }).catch(report);
      });
    }
  });
})();
