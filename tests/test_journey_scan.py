"""An associate scans a walk-in customer's loyalty card with the tablet camera and lands on her profile.

Chromium's fake camera plays a video of the card (a QR code of the loyalty number, drawn here in pure
Python), so static/js/scan.js runs end to end: camera, decoder, search form, redirect to the profile.
Headless Linux Chromium has no BarcodeDetector, so it takes the vendored ZXing fallback, the path of
iPad Safari and Firefox; one test also deletes BarcodeDetector to force that path on any Chromium.
"""

from __future__ import annotations

import json
import re

import pytest
import segno

from clienteling.factories import CustomerFactory
from clienteling.models import ProfileAccess
from tests.conftest import launch_chromium, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOYALTY_NUMBER = "L000123456"
WIDTH, HEIGHT = 640, 480

# Before any page script: keep the streams scan.js opens, and on leaving the search page note in
# sessionStorage (which survives the navigation) whether scan.js had stopped the camera and hidden the panel.
WATCH_THE_CAMERA = """
(() => {
  const streams = [];
  const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    const stream = await getUserMedia(constraints);
    streams.push(stream);
    return stream;
  };
  window.addEventListener("pagehide", () => {
    const panel = document.getElementById("scanner");
    if (!panel || !streams.length) return;
    const tracks = streams.flatMap((stream) => stream.getTracks());
    sessionStorage.setItem("camera-on-leaving", JSON.stringify({
      streams: streams.length,
      live_tracks: tracks.filter((track) => track.readyState === "live").length,
      panel_hidden: panel.hidden,
      barcode_detector: "BarcodeDetector" in window,
    }));
  });
})();
"""


def _write_card_video(path, text: str, frames: int = 5) -> None:
    """A YUV4MPEG2 video of a QR code of `text`, black on white with a wide quiet zone, in the middle of the frame."""
    qr = segno.make_qr(text)  # a full QR code: segno.make() may pick a Micro QR, which ZXing does not read
    modules = len(qr.matrix)
    scale = min(WIDTH, HEIGHT) // (modules + 8)  # at least 4 modules of white on each side
    left, top = (WIDTH - modules * scale) // 2, (HEIGHT - modules * scale) // 2
    luma = bytearray(b"\xff" * (WIDTH * HEIGHT))
    for row, line in enumerate(qr.matrix):
        for col, dark in enumerate(line):
            if dark:
                for y in range(top + row * scale, top + (row + 1) * scale):
                    start = y * WIDTH + left + col * scale
                    luma[start : start + scale] = bytes(scale)
    chroma = b"\x80" * (WIDTH // 2 * HEIGHT // 2)
    frame = b"FRAME\n" + bytes(luma) + chroma + chroma
    path.write_bytes(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode() + frame * frames)


@pytest.fixture(scope="module")
def camera_browser(playwright_driver, tmp_path_factory):
    """Chromium whose camera films the loyalty card (the session browser has no camera)."""
    card = tmp_path_factory.mktemp("camera") / "loyalty_card.y4m"
    _write_card_video(card, LOYALTY_NUMBER)
    browser = launch_chromium(
        playwright_driver,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={card}",
    )
    yield browser
    browser.close()


@pytest.mark.parametrize("decoder", ["zxing-forced", "as-the-browser-has-it"])
def test_scanning_the_loyalty_card_opens_the_profile_and_releases_the_camera(
    camera_browser, live_server, associate_milano, decoder
):
    giulia = CustomerFactory(
        first_name="Giulia", last_name="Verdi", loyalty_number=LOYALTY_NUMBER, consent_clienteling=True
    )
    CustomerFactory(first_name="Paolo", last_name="Bianchi")
    context = camera_browser.new_context(viewport={"width": 1024, "height": 768}, locale="en-GB", has_touch=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.base_url = live_server.url
    try:
        if decoder == "zxing-forced":
            page.add_init_script("delete window.BarcodeDetector")
        page.add_init_script(WATCH_THE_CAMERA)
        sign_in(page, "anna_milano")
        page.goto(f"{live_server.url}/customers/")

        page.get_by_test_id("scan-button").click()
        # Nothing is typed: only the camera can take the page to the profile.
        page.wait_for_url(re.compile(rf"/customers/{giulia.pk}/\?via=scan$"), timeout=15_000)
        page.wait_for_load_state("networkidle")

        assert page.get_by_test_id("customer-name").inner_text() == "Giulia Verdi"
        assert ProfileAccess.objects.get().via == "scan"
        camera = json.loads(page.evaluate("sessionStorage.getItem('camera-on-leaving')"))
        assert camera["streams"] == 1
        assert camera["live_tracks"] == 0, "scan.js left the camera on"
        assert camera["panel_hidden"], "scan.js left the scanner panel open"
        if decoder == "zxing-forced":
            assert not camera["barcode_detector"]
    finally:
        context.close()
