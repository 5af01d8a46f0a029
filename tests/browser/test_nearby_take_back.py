"""A file sent to a page, taken back: `ferry --headless --receive DIR
--json` sends files to one of two Chromium pages (`sent` events, one id
each), `take-back ID` ends one link (`taken-back`), and that page's card
turns into a "taken back" one (crossed out, no Download, no picture to
load) while the other card and the other page's own link to the same file
stay; the link answers 404; a second take-back or an unknown id is an
`error`; a reload shows the card taken back again. Screenshot at phone
width."""

import os
import tempfile
import urllib.error
import urllib.request

import ferry_browser as fb
from test_nearby import cards, device_of, json_events


def test_taken_back():
    src = tempfile.mkdtemp(prefix="ferry-src-")
    inbox = tempfile.mkdtemp(prefix="ferry-inbox-")
    photo = os.path.join(src, "IMG_2231.jpg")
    notes = os.path.join(src, "train times.txt")
    with open(photo, "wb") as f:
        f.write(os.urandom(1_200_000))
    with open(notes, "w") as f:
        f.write("08:12 platform 4\n")
    ferry = fb.Ferry(["--receive", inbox, "--json"], lines_expected=1, answers=True)
    try:
        link = ferry.lines[0]
        with fb.browser(fb.PHONE) as b, fb.browser(fb.PHONE) as other:
            b.get(link)
            d = device_of(b)
            other.get(link)
            d2 = device_of(other)
            ferry.answer('send %d %s "%s"' % (d, photo, notes))
            ferry.answer("send %d %s" % (d2, photo))
            sent = fb.wait_for(lambda: len(json_events(ferry, "sent")) == 3 and json_events(ferry, "sent"), 10,
                               "three sent events")
            assert [(e["id"], e["device"], e["name"]) for e in sent] == \
                [(1, d, "IMG_2231.jpg"), (2, d, "train times.txt"), (3, d2, "IMG_2231.jpg")], sent
            got = fb.wait_for(lambda: len(cards(b)) == 2 and cards(b), 10, "two cards")
            # Newest first: the notes, then the photo; each card's link is its sent url.
            assert [c["text"] for c in got] == ["train times.txt", "IMG_2231.jpg"], got
            assert got[1]["link"] == sent[0]["url"] and got[0]["link"] == sent[1]["url"], (got, sent)
            fb.wait_for(lambda: len(cards(other)) == 1, 10, "the other page's card")

            ferry.answer("take-back 1")
            back = fb.wait_for(lambda: json_events(ferry, "taken-back"), 10, "the taken-back event")
            assert [(e["id"], e["device"], e["name"]) for e in back] == [(1, d, "IMG_2231.jpg")], back
            photo_card = fb.wait_for(lambda: [c for c in cards(b) if c["text"] == "IMG_2231.jpg" and c["taken"]], 10,
                                     lambda: "the card taken back: %r" % cards(b))[0]
            # No download to break, no picture to load; the name stays.
            assert photo_card["link"] is None and not photo_card["img"], photo_card
            assert photo_card["note"] == "Taken back by the computer", photo_card
            try:
                urllib.request.urlopen(sent[0]["url"])
                raise AssertionError("the link taken back still answers")
            except urllib.error.HTTPError as e:
                assert e.code == 404, e.code
            notes_card = [c for c in cards(b) if c["text"] == "train times.txt"][0]
            assert not notes_card["taken"] and urllib.request.urlopen(notes_card["link"]).read() == b"08:12 platform 4\n"
            # The other device got the same file under a link of its own: untouched.
            ferry.answer("text %d still yours" % d2)
            fb.wait_for(lambda: len(cards(other)) == 2, 10, "the other page's text")
            theirs = [c for c in cards(other) if c["kind"] == "file"][0]
            assert not theirs["taken"] and theirs["link"] == sent[2]["url"], theirs
            assert len(urllib.request.urlopen(theirs["link"]).read()) == 1_200_000

            # Once only, and only what was sent.
            ferry.answer("take-back 1")
            ferry.answer("take-back 9")
            errors = fb.wait_for(lambda: len(json_events(ferry, "error")) == 2 and json_events(ferry, "error"), 10,
                                 "two refusals")
            assert errors[0]["message"] == "IMG_2231.jpg was taken back already", errors
            assert errors[1]["message"].startswith("nothing was sent as 9"), errors
            assert len(json_events(ferry, "taken-back")) == 1

            # A reload shows the card taken back again, not a broken download.
            b.refresh()
            assert device_of(b) == d
            again = fb.wait_for(lambda: len(cards(b)) == 2 and cards(b)[1]["taken"] and cards(b), 10,
                                lambda: "the cards after the reload: %r" % cards(b))
            assert again[1]["text"] == "IMG_2231.jpg" and again[1]["link"] is None and not again[1]["img"], again
            assert not again[0]["taken"] and again[0]["link"] == sent[1]["url"], again
            fb.wait_for(lambda: not b.execute_script("return document.querySelector('#inbox .fresh')"), 10,
                        "the cards' highlight to fade")
            fb.screenshot(b, "nearby-phone-taken-back")
    finally:
        ferry.stop()


if __name__ == "__main__":
    fb.run(test_taken_back)
