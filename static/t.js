/*! Tributary tracking script — no dependencies.
 * <script src="https://YOUR-TRIBUTARY/t.js" data-store="your-store-slug" async></script>
 * Options: data-consent="required" (set no cookie until Tributary.consent()),
 *          data-param="via,ref" (query parameters that carry a link token).
 * A click's redirect adds tb_ref and tb_click; the page that clicked takes that referral.
 * API: Tributary.referral (the referral id, for your checkout),
 *      Tributary.lead({email}), Tributary.consent(), Tributary.ready (a Promise). */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var base = new URL(script.src).origin;
  var store = script.getAttribute("data-store") || "";
  var consentRequired = script.getAttribute("data-consent") === "required";
  var params = (script.getAttribute("data-param") || "via").split(",");
  var COOKIE = "tributary_ref";
  var T = (window.Tributary = window.Tributary || {});
  var consented = !consentRequired;
  var pending = null;

  function readCookie(name) {
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      var kv = parts[i].split("=");
      if (kv[0] === name) return decodeURIComponent(kv.slice(1).join("="));
    }
    return null;
  }
  function writeCookie(value, days) {
    document.cookie = COOKIE + "=" + encodeURIComponent(value) + "; Max-Age=" + Math.round(days * 86400) +
      "; Path=/; SameSite=Lax" + (location.protocol === "https:" ? "; Secure" : "");
  }
  function keep(referral, days) {
    if (!referral || !(days > 0)) return;
    T.referral = referral;
    if (consented) writeCookie(referral, days); else pending = [referral, days];
  }
  function post(path, body) {
    // text/plain keeps this a simple CORS request (no preflight).
    return fetch(base + path, {
      method: "POST", body: JSON.stringify(body), credentials: "omit", keepalive: true,
      headers: { "Content-Type": "text/plain" }
    }).then(function (r) { return r.ok ? r.json() : null; }).catch(function () { return null; });
  }

  T.referral = readCookie(COOKIE);
  T.consent = function () {
    consented = true;
    if (pending) { writeCookie(pending[0], pending[1]); pending = null; }
  };
  T.lead = function (data) {
    return T.ready.then(function () {
      if (!T.referral) return null;
      return post("/api/track/lead", { store: store, referral_id: T.referral, email: data && data.email });
    });
  };

  var query = new URLSearchParams(location.search);
  var via = null;
  for (var i = 0; i < params.length && !via; i++) via = query.get(params[i].trim());
  var fromRedirect = query.get("tb_ref");
  var fromClick = query.get("tb_click");
  T.ready = (via || fromRedirect)
    ? post("/api/track/visit", {
        store: store, via: via, referral_id: T.referral, redirect_referral: fromRedirect,
        redirect_click: fromClick,
        landing_url: location.href, referrer: document.referrer || null
      }).then(function (answer) {
        if (answer && answer.referral_id) keep(answer.referral_id, answer.cookie_days);
        return T.referral;
      })
    : Promise.resolve(T.referral);
})();
