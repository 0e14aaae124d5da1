/* Scan a loyalty card with the tablet camera and fill the customer search.
   BarcodeDetector where the browser has it; otherwise the vendored ZXing decoder (static/vendor/zxing),
   loaded only when a scan starts. Typing stays available at all times. */
(function () {
  "use strict";
  var script = document.currentScript;
  var button = document.getElementById("scan-button");
  var panel = document.getElementById("scanner");
  var video = document.getElementById("scan-video");
  var status = document.getElementById("scan-status");
  var stop = document.getElementById("scan-stop");
  var input = document.getElementById("id_q");
  var via = document.getElementById("id_via");
  var form = document.getElementById("customer-search-form");
  if (!button || !input || !form || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  button.hidden = false;

  var stream = null;
  var zxingReader = null;
  var running = false;
  var starting = false;

  function finish() {
    running = false;
    if (zxingReader) { try { zxingReader.reset(); } catch (e) { /* already stopped */ } zxingReader = null; }
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    panel.hidden = true;
  }

  function found(text) {
    finish();
    input.value = String(text).trim();
    via.value = "scan";
    // requestSubmit fires htmx's submit trigger; a plain submit is the no-htmx fallback.
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }

  function loadDecoder() {
    return new Promise(function (resolve, reject) {
      if (window.ZXing) return resolve(window.ZXing);
      var tag = document.createElement("script");
      tag.src = script.dataset.decoder;
      tag.onload = function () { resolve(window.ZXing); };
      tag.onerror = reject;
      document.head.appendChild(tag);
    });
  }

  function withBarcodeDetector() {
    var detector = new window.BarcodeDetector();
    function tick() {
      if (!running) return;
      detector.detect(video).then(function (codes) {
        if (codes.length) found(codes[0].rawValue); else requestAnimationFrame(tick);
      }).catch(function () { requestAnimationFrame(tick); });
    }
    requestAnimationFrame(tick);
  }

  function withZxing() {
    loadDecoder().then(function (ZXing) {
      if (!running) return; // stopped while the decoder was loading
      zxingReader = new ZXing.BrowserMultiFormatReader();
      zxingReader.timeBetweenDecodingAttempts = 100; // ten tries a second: quick enough, and a tablet stays cool
      // The video already plays (the click handler awaited video.play()), so start the decode loop on it now.
      // Not decodeFromVideoElementContinuously: it starts the loop on the video's next `playing` event, which a
      // video that is already playing never fires again, so it would never decode.
      zxingReader.decodeContinuously(video, function (result) {
        if (result && running) found(result.getText());
      });
    }).catch(function () { status.textContent = script.dataset.msgNoCamera; });
  }

  button.addEventListener("click", function () {
    if (starting || stream) return; // a second tap would open a second camera stream and leak the first
    starting = true;
    panel.hidden = false;
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (s) {
      starting = false;
      if (panel.hidden) { // Stop was pressed while the tablet asked for the camera: let it go at once
        s.getTracks().forEach(function (t) { t.stop(); });
        return false;
      }
      stream = s;
      video.srcObject = s;
      running = true;
      return video.play().then(function () { return true; });
    }).then(function (started) {
      if (!started) return;
      if ("BarcodeDetector" in window) withBarcodeDetector(); else withZxing();
    }).catch(function () {
      starting = false;
      finish();
      panel.hidden = false;
      status.textContent = script.dataset.msgNoCamera;
      input.focus();
    });
  });
  stop.addEventListener("click", function () { finish(); input.focus(); });
  input.addEventListener("input", function () { via.value = ""; });
})();
