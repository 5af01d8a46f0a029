"""This computer's page while the window (not --headless) serves it, in a
real browser: Ferry's window runs offscreen with Receive on (a throwaway
config), Chromium opens the receive link, and the page shows its nearby area
(the window takes text) and its text reaches the computer ("Sent to this
computer.", not a refusal); 100 KB is refused in words."""

import os
import shutil
import socket
import subprocess
import tempfile

import ferry_browser as fb
from test_nearby import send_text, text_state


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_page_is_live_in_the_window():
    home = tempfile.mkdtemp(prefix="ferry-window-")
    inbox = os.path.join(home, "inbox")
    os.makedirs(os.path.join(home, "config", "ferry"))
    os.makedirs(inbox)
    port = free_port()
    token = "nearbyWindowToken0123456789abcd"
    # Settings as the window stores them (ui/settings/settings_store.cpp).
    with open(os.path.join(home, "config", "ferry", "ferry.ini"), "w") as f:
        f.write("[server]\nport=%d\nbind=127.0.0.1\nstartOnLaunch=true\n[window]\nkeepInTray=false\n"
                "[receive]\non=true\nfolder=%s\ntoken=%s\n" % (port, inbox, token))
    env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=os.path.join(home, "config"),
               XDG_DATA_HOME=os.path.join(home, "data"), XDG_CACHE_HOME=os.path.join(home, "cache"),
               QT_QPA_PLATFORM="offscreen")
    window = subprocess.Popen([fb.ferry_binary()], env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def serving():
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return True
            except OSError:
                return False
        fb.wait_for(serving, 20, "the window to serve")
        link = "http://127.0.0.1:%d/%s/" % (port, token)
        with fb.browser(fb.PHONE) as b:
            b.get(link)
            fb.wait_for(lambda: b.execute_script("return document.body.dataset.device"), 10, "the hello event")
            fb.wait_for(lambda: not b.execute_script("return document.getElementById('nearby').hidden"), 5,
                        "the nearby area")
            send_text(b, "hello from the phone")
            fb.wait_for(lambda: text_state(b) == "Sent to this computer.", 10,
                        lambda: "the page to say it was sent, not %r" % text_state(b))
            send_text(b, "x" * (100 * 1024))
            fb.wait_for(lambda: "64 KB" in text_state(b), 5, "the refusal")
            assert text_state(b) == "Text up to 64 KB can be sent at once: this is longer."
            fb.screenshot(b, "nearby-window-phone")
    finally:
        window.terminate()
        try:
            window.wait(10)
        except subprocess.TimeoutExpired:
            window.kill()
            window.wait()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    fb.run(test_the_page_is_live_in_the_window)
