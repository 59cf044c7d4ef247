/* Progressive enhancement only: every feature here has a no-JavaScript path (plain form posts).
   No inline script anywhere (the CSP forbids it); texts come from data-* attributes rendered by the server. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  function humanDate(iso, L) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    if (!m) {
      return iso;
    }
    var day = String(parseInt(m[3], 10));
    var month = L.months[parseInt(m[2], 10) - 1];
    return document.documentElement.lang === "de" ? day + ". " + month + " " + m[1] : day + " " + month + " " + m[1];
  }

  // As view.format_time on the server: "14. März 2026, 11:00 Uhr (CET)" / "14 March 2026, 11:00 (CET)".
  function humanTime(seconds, L, lang) {
    try {
      var parts = {};
      new Intl.DateTimeFormat("en-GB", {
        timeZone: "Europe/Berlin", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit",
        minute: "2-digit", hourCycle: "h23", timeZoneName: "short"
      }).formatToParts(new Date(seconds * 1000)).forEach(function (part) { parts[part.type] = part.value; });
      var day = humanDate(parts.year + "-" + parts.month + "-" + parts.day, L);
      var time = parts.hour + ":" + parts.minute;
      return lang === "de" ? day + ", " + time + " Uhr (" + parts.timeZoneName + ")"
        : day + ", " + time + " (" + parts.timeZoneName + ")";
    } catch (ignored) {
      return String(seconds);
    }
  }

  function claimRows(claims, L) {
    var rows = [];
    if (!claims) {
      return rows;
    }
    rows.push([L.ui.doc_type, L.doc_types[claims.doc_type] || claims.doc_type || ""]);
    ["title", "holder"].forEach(function (key) {
      if (claims[key]) { rows.push([L.ui[key], claims[key]]); }
    });
    ["issued_on", "valid_until"].forEach(function (key) {
      if (claims[key]) { rows.push([L.ui[key], humanDate(claims[key], L)]); }
    });
    if (claims.issuer_ref) {
      rows.push([L.ui.issuer_ref, claims.issuer_ref]);
    }
    (claims.facts || []).forEach(function (fact) { rows.push([String(fact[0]), String(fact[1])]); });
    return rows;
  }

  function factList(rows, className) {
    var dl = el("dl", className || "facts facts--compare");
    rows.forEach(function (row) {
      var div = el("div", "facts__row");
      div.appendChild(el("dt", "", row[0]));
      div.appendChild(el("dd", "", row[1]));
      dl.appendChild(div);
    });
    return dl;
  }

  // The same structure as templates/_verdict.html and the technical details of result.html.
  function drawResult(data, L, lang) {
    var verdict = data.verdict || "NOT_CHECKABLE";
    var unchecked = verdict === "NOT_CHECKABLE" || verdict === "ERROR";
    var confirmed = !unchecked && verdict !== "INVALID";
    var decision = data.decision || {};
    var message = decision["message_" + lang] || "";
    var claimsScope = data.scope ? data.scope === "claims" : true;
    var label = L.verdicts[verdict] || L.verdicts.NOT_CHECKABLE;
    var summary = message || L.summaries[verdict] || L.summaries.NOT_CHECKABLE;
    if (verdict === "VALID" && claimsScope) {
      label = L.claims_confirmed;
      summary = L.claims_summary;
    } else if (unchecked && message) {
      summary = message + " " + L.not_false;
    } else if (verdict === "INVALID" && message) {
      summary = message + " " + L.summaries.INVALID;
    }
    var css = unchecked ? "error" : verdict.toLowerCase();
    var icons = { valid: "✓", invalid: "✗", revoked: "⊘", suspended: "‖", expired: "⌛", error: "?" };
    var out = document.createDocumentFragment();
    if (data.production_chain === false) {
      var warning = el("p", "warning");
      warning.id = "not-production";
      warning.appendChild(el("strong", "", L.ui.not_production));
      out.appendChild(warning);
    }
    var box = el("section", "verdict verdict--" + css);
    box.setAttribute("role", "status");
    var h1 = el("h1", "verdict__label");
    h1.id = "verdict";
    h1.tabIndex = -1;
    var icon = el("span", "verdict__icon", icons[css] || "?");
    icon.setAttribute("aria-hidden", "true");
    h1.appendChild(icon);
    h1.appendChild(el("span", "visually-hidden", L.ui.verdict_prefix + " "));
    h1.appendChild(el("span", "verdict__text", label));
    box.appendChild(h1);
    if (unchecked && L.reasons[decision.reason]) {
      box.appendChild(el("p", "verdict__reason", L.reasons[decision.reason]));
    }
    box.appendChild(el("p", "verdict__summary", summary));
    if (confirmed && data.issuer && data.issuer.name) {
      var issuer = el("p", "verdict__issuer", L.ui.issued_by + ": ");
      issuer.appendChild(el("strong", "", data.issuer.name));
      box.appendChild(issuer);
    }
    var rows = confirmed ? claimRows(data.claims, L) : [];
    if (rows.length) {
      box.appendChild(el("p", "note note--strong", L.ui.compare_heading));
      box.appendChild(factList(rows));
      box.appendChild(el("p", "verdict__not-covered", L.ui.not_covered));
    }
    var advice = decision["advice_" + lang] || (unchecked ? L.advice : "");
    if (advice) {
      var adviceBox = el("div", "verdict__advice");
      adviceBox.appendChild(el("h2", "verdict__advice-h", L.ui.advice_heading));
      adviceBox.appendChild(el("p", "", advice));
      box.appendChild(adviceBox);
    }
    box.appendChild(el("p", "verdict__source", L.ui.source_qr));
    out.appendChild(box);

    var details = el("details", "card tech");
    details.id = "technical";
    details.appendChild(el("summary", "tech__summary", L.ui.technical_details));
    details.appendChild(el("p", "hint", L.ui.technical_intro));
    var issuerRows = [];
    var anchorRows = [];
    if (confirmed) {
      var who = data.issuer || {};
      var anchor = data.anchor || {};
      if (who.name) { issuerRows.push([L.ui.issuer_name, who.name]); }
      if (who.address) { issuerRows.push([L.ui.issuer_address, who.address]); }
      if (data.registry_name) { issuerRows.push([L.ui.registry, L.registries[data.registry_name] || data.registry_name]); }
      if (anchor.block !== undefined && anchor.block !== null) {
        if (typeof anchor.timestamp === "number" && anchor.timestamp > 0) {
          anchorRows.push([L.ui.anchored_at, humanTime(anchor.timestamp, L, lang)]);
        }
        anchorRows.push([L.ui.chain, String(anchor.chain_id || "")]);
        anchorRows.push([L.ui.block, String(anchor.block)]);
        if (anchor.tx) { anchorRows.push([L.ui.transaction, anchor.tx]); }
      }
    }
    [[L.ui.issuer, issuerRows], [L.ui.anchor, anchorRows]].forEach(function (section) {
      if (section[1].length) {
        details.appendChild(el("h2", "tech__h", section[0]));
        var list = factList(section[1], "facts");
        Array.prototype.forEach.call(list.querySelectorAll("dd"), function (dd) {
          if (dd.textContent.indexOf("0x") === 0) { dd.className = "mono"; }
        });
        details.appendChild(list);
      }
    });
    details.appendChild(el("h2", "tech__h", L.ui.checks));
    var list = el("ol", "checks");
    (data.checks || []).forEach(function (check) {
      var status = check.status === "NOT_CHECKABLE" ? "error" : String(check.status || "").toLowerCase();
      var item = el("li", "check check--" + status);
      item.appendChild(el("h3", "check__title", L.titles[check.name] || check.name));
      var badge = el("p", "check__status");
      badge.appendChild(el("span", "badge badge--" + status, L.statuses[check.status] || check.status));
      item.appendChild(badge);
      item.appendChild(el("p", "check__message", check["message_" + lang] || check.message || ""));
      list.appendChild(item);
    });
    details.appendChild(list);
    out.appendChild(details);
    var again = el("p");
    var link = el("a", "button", L.ui.again);
    link.href = "/?lang=" + lang;
    again.appendChild(link);
    out.appendChild(again);
    return { node: out, title: L.ui.verdict_prefix + " " + label };
  }

  var pageTitle = document.title;
  var arrivalRequest = null;

  function checkArrival(arrival, payload) {
    var lang = arrival.dataset.lang === "en" ? "en" : "de";
    var labels = JSON.parse(arrival.dataset.labels || "{}");
    var status = document.getElementById("arrival-status");
    var target = document.getElementById("arrival-result");
    var start = document.getElementById("start");
    // the fragment names a person: keep it out of the history entry once read
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
    // a second QR link opened in this tab changes only the fragment: the first verdict must go, and a
    // late answer for it must never be drawn under the second document's name
    if (arrivalRequest) { arrivalRequest.abort(); }
    target.textContent = "";
    document.title = pageTitle;
    start.hidden = true;
    arrival.hidden = false;
    status.hidden = false;
    status.className = "hint";
    status.textContent = arrival.dataset.checking || "";
    var request = new XMLHttpRequest();
    arrivalRequest = request;
    request.open("POST", "/api/v1/verify?lang=" + lang);
    request.withCredentials = false;
    request.setRequestHeader("Content-Type", "application/json");
    request.onload = function () {
      if (request !== arrivalRequest) { return; }
      arrivalRequest = null;
      var data = null;
      try {
        data = JSON.parse(request.responseText);
      } catch (ignored) {
        data = null;
      }
      if (request.status === 200 && data && data.verdict) {
        var drawn = drawResult(data, labels, lang);
        status.textContent = "";
        status.hidden = true;
        target.appendChild(drawn.node);
        document.title = drawn.title + " – " + document.title;
        document.getElementById("verdict").focus();
        return;
      }
      failed(data && data["message_" + lang]);
    };
    request.onerror = function () {
      if (request === arrivalRequest) { arrivalRequest = null; failed(null); }
    };
    function failed(message) {
      status.textContent = message || arrival.dataset.failed || "";
      status.className = "alert";
      start.hidden = false;
      document.getElementById("payload").value = payload;  // the server undoes a browser's %20 itself
    }
    request.send(JSON.stringify({ payload: payload }));
  }

  // A result page: move focus to the verdict, so screen readers announce it first.
  var verdict = document.getElementById("verdict");
  if (verdict) {
    verdict.focus();
  }

  var fileInput = document.getElementById("file");
  var drop = document.getElementById("drop");
  var payload = document.getElementById("payload");
  var pasteForm = document.getElementById("paste-form");

  // Drag and drop onto the upload area.
  if (drop && fileInput) {
    ["dragenter", "dragover"].forEach(function (name) {
      drop.addEventListener(name, function (event) {
        event.preventDefault();
        drop.classList.add("drop--over");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      drop.addEventListener(name, function () {
        drop.classList.remove("drop--over");
      });
    });
    drop.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) {
        fileInput.files = event.dataTransfer.files;
        fileInput.dispatchEvent(new Event("change"));
      }
    });
  }

  // A QR code that holds this page's address carries the payload after "#" (the fragment never reaches the
  // server or its logs): check it at once through the JSON API and draw the verdict as the result page does.
  var arrival = document.getElementById("arrival");
  if (arrival) {
    window.addEventListener("hashchange", function () {
      if (/NT1:/i.test(window.location.hash)) {
        checkArrival(arrival, window.location.hash.slice(1));
      }
    });
  }
  if (arrival && /NT1:/i.test(window.location.hash)) {
    checkArrival(arrival, window.location.hash.slice(1));
    return;
  }

  // Camera scanning with jsQR (loaded only when asked for: it is 250 KB).
  var scan = document.getElementById("scan");
  if (!scan || !payload || !pasteForm || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    return;
  }
  scan.hidden = false;
  var start = document.getElementById("scan-start");
  var stop = document.getElementById("scan-stop");
  var video = document.getElementById("scan-video");
  var status = document.getElementById("scan-status");
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });
  var stream = null;

  function say(key) {
    status.textContent = scan.dataset[key] || "";
  }

  function withJsQR(then) {
    if (window.jsQR) {
      then();
      return;
    }
    var script = document.createElement("script");
    script.src = "/static/vendor/jsQR.js";
    script.onload = then;
    script.onerror = function () { say("denied"); };
    document.head.appendChild(script);
  }

  function halt() {
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
    }
    stream = null;
    video.hidden = true;
    stop.hidden = true;
    start.hidden = false;
  }

  function tick() {
    if (!stream) {
      return;
    }
    if (video.readyState >= 2 && video.videoWidth) {
      var scale = Math.min(1, 960 / Math.max(video.videoWidth, video.videoHeight));
      var width = Math.round(video.videoWidth * scale);
      var height = Math.round(video.videoHeight * scale);
      canvas.width = width;
      canvas.height = height;
      context.drawImage(video, 0, 0, width, height);
      var code = window.jsQR(context.getImageData(0, 0, width, height).data, width, height, {
        inversionAttempts: "dontInvert"
      });
      if (code && code.data) {
        say("found");
        halt();
        payload.value = code.data;
        pasteForm.submit();
        return;
      }
    }
    window.setTimeout(tick, 120);
  }

  start.addEventListener("click", function () {
    withJsQR(function () {
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (s) {
        stream = s;
        video.srcObject = s;
        video.hidden = false;
        start.hidden = true;
        stop.hidden = false;
        video.play();
        say("running");
        stop.focus();
        tick();
      }).catch(function () {
        say("denied");
      });
    });
  });
  stop.addEventListener("click", function () {
    halt();
    status.textContent = "";
    start.focus();
  });
})();
