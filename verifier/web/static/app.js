/* Progressive enhancement only: every feature here has a no-JavaScript path (plain form posts).
   No inline script anywhere (the CSP forbids it); texts come from data-* attributes rendered by the server. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

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

  // A QR code that holds this page's address carries the payload after "#": check it at once.
  if (payload && pasteForm && /NT1:/i.test(window.location.hash)) {
    payload.value = window.location.hash.slice(1);
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
    pasteForm.submit();
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
