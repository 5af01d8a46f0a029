// The receive page: sends each picked file to this Ferry, one at a time,
// with a raw XHR PUT (XHR, not fetch: only XHR reports upload progress).
//
// Protocol (see core/serve/upload_handler.h): a handshake
//   POST <link>?name=NAME&size=SIZE&more=M     -> 201 {"id", "offset"} | 400 | 403 | 404 | 413 | 503 | 507
// checked before any byte is sent (a file over the size limit, no room on
// the disk; and while this computer's user is asked whether to accept this
// device, it is answered only once they have), then
//   PUT  <link>?upload=ID&offset=N  (the rest)  -> 201 {"name"} | 409 (offset moved)
// and, after a failure, HEAD <link>?upload=ID -> Upload-Offset: how much
// arrived, so the upload goes on from the server's byte (410 on either: the
// computer's user cancelled the file, which is not sent again). While a PUT
// runs, that HEAD is a 409 whose Upload-Received is what the row shows. No
// hashing: a phone starts sending at once. The id is kept in localStorage,
// so picking the same file again after the page was closed resumes it too. The
// device's own random id (X-Ferry-Device, also in localStorage) is what the
// computer's user accepts, so the next files of this browser are not asked
// about again.
(function () {
  "use strict";

  var base = location.pathname.replace(/[^\/]*$/, "");  // "/<token>/"
  var input = document.getElementById("files");
  var pick = document.getElementById("pick");
  var list = document.getElementById("uploads");
  var section = document.getElementById("list-section");
  var summary = document.getElementById("summary");
  var notice = document.getElementById("notice");
  var asks = document.getElementById("page").dataset.asks === "1";
  var declined = null;  // the computer's answer to this device: the rest is not sent
  var WAITING = "Waiting for this computer to accept…";
  var queue = [];
  var items = [];
  var running = false;
  var STALL_MS = 30000;  // no progress this long: the connection is dead

  function human(n) {
    var units = ["B", "KB", "MB", "GB", "TB"];
    var u = 0;
    while (n >= 1000 && u < units.length - 1) { n /= 1000; u++; }
    return (u === 0 ? n.toFixed(0) : n.toFixed(n < 10 ? 1 : 0)) + " " + units[u];
  }
  function duration(s) {
    if (!isFinite(s) || s < 0) return "";
    s = Math.round(s);
    if (s < 60) return s + " s left";
    if (s < 3600) return Math.floor(s / 60) + " min " + (s % 60) + " s left";
    return Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min left";
  }
  function storageKey(f) { return "ferry-upload " + base + " " + f.name + " " + f.size + " " + f.lastModified; }
  function remember(f, id) { try { id ? localStorage.setItem(storageKey(f), id) : localStorage.removeItem(storageKey(f)); } catch (e) {} }
  function recall(f) { try { return localStorage.getItem(storageKey(f)); } catch (e) { return null; } }
  var device = (function () {
    var id = null;
    try { id = localStorage.getItem("ferry-device"); } catch (e) {}
    if (!id || !/^[A-Za-z0-9_-]{16,64}$/.test(id)) {
      var bytes = new Uint8Array(16);
      crypto.getRandomValues(bytes);
      id = btoa(String.fromCharCode.apply(null, bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
      try { localStorage.setItem("ferry-device", id); } catch (e) {}
    }
    return id;
  })();

  // Keeps the screen on while files go: a locked phone stops its page's
  // uploads. The Screen Wake Lock where the browser offers it (a secure
  // context only), else a silent one-pixel video looping inline, which
  // keeps iOS and Android awake over plain HTTP as well.
  var awake = { on: false, lock: null, video: null };
  var SILENT = { webm: "data:video/webm;base64,GkXfo59ChoEBQveBAULygQRC84EIQoKEd2VibUKHgQJChYECGFOAZwEAAAAAAAH+EU2bdLpNu4tTq4QVSalmU6yBoU27i1OrhBZUrmtTrIHYTbuMU6uEElTDZ1OsggEeTbuMU6uEHFO7a1OsggHo7AEAAAAAAABZAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAVSalmsirXsYMPQkBNgI1MYXZmNTkuMjcuMTAwV0GNTGF2ZjU5LjI3LjEwMESJiECfQAAAAAAAFlSua8GuAQAAAAAAADjXgQFzxYibITPIajPLhpyBACK1nIN1bmSIgQCGhVZfVlA4g4EBI+ODhDuaygDgibCBELqBEJqBAhJUw2f9c3OgY8CAZ8iaRaOHRU5DT0RFUkSHjUxhdmY1OS4yNy4xMDBzc9djwItjxYibITPIajPLhmfIoUWjh0VOQ09ERVJEh5RMYXZjNTkuMzcuMTAwIGxpYnZweGfIokWjiERVUkFUSU9ORIeUMDA6MDA6MDIuMDAwMDAwMDAwAAAfQ7Z1w+eBAKOjgQAAgBACAJ0BKhAAEAAARwiFhYiZhIgCAgAMDWAA/v+rUICjmYED6ACxAQABEBAAGAAwP/QMAAAA/v+rUIAcU7trkbuPs4EAt4r3gQHxggGg8IED", mp4: "data:video/mp4;base64,AAAAIGZ0eXBpc29tAAACAGlzb21pc28yYXZjMW1wNDEAAAMxbW9vdgAAAGxtdmhkAAAAAAAAAAAAAAAAAAAD6AAAB9AAAQAAAQAAAAAAAAAAAAAAAAEAAAAAAAAAAAAAAAAAAAABAAAAAAAAAAAAAAAAAABAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAgAAAlt0cmFrAAAAXHRraGQAAAADAAAAAAAAAAAAAAABAAAAAAAAB9AAAAAAAAAAAAAAAAAAAAAAAAEAAAAAAAAAAAAAAAAAAAABAAAAAAAAAAAAAAAAAABAAAAAABAAAAAQAAAAAAAkZWR0cwAAABxlbHN0AAAAAAAAAAEAAAfQAAAAAAABAAAAAAHTbWRpYQAAACBtZGhkAAAAAAAAAAAAAAAAAABAAAAAgABVxAAAAAAALWhkbHIAAAAAAAAAAHZpZGUAAAAAAAAAAAAAAABWaWRlb0hhbmRsZXIAAAABfm1pbmYAAAAUdm1oZAAAAAEAAAAAAAAAAAAAACRkaW5mAAAAHGRyZWYAAAAAAAAAAQAAAAx1cmwgAAAAAQAAAT5zdGJsAAAAvnN0c2QAAAAAAAAAAQAAAK5hdmMxAAAAAAAAAAEAAAAAAAAAAAAAAAAAAAAAABAAEABIAAAASAAAAAAAAAABFUxhdmM1OS4zNy4xMDAgbGlieDI2NAAAAAAAAAAAAAAAGP//AAAANGF2Y0MBZAAK/+EAF2dkAAqs2V7ARAAAAwAEAAADAAg8SJZYAQAGaOvjxMhM/fj4AAAAABBwYXNwAAAAAQAAAAEAAAAUYnRydAAAAAAAAAtUAAALVAAAABhzdHRzAAAAAAAAAAEAAAACAABAAAAAABRzdHNzAAAAAAAAAAEAAAABAAAAHHN0c2MAAAAAAAAAAQAAAAEAAAACAAAAAQAAABxzdHN6AAAAAAAAAAAAAAACAAACyAAAAA0AAAAUc3RjbwAAAAAAAAABAAADYQAAAGJ1ZHRhAAAAWm1ldGEAAAAAAAAAIWhkbHIAAAAAAAAAAG1kaXJhcHBsAAAAAAAAAAAAAAAALWlsc3QAAAAlqXRvbwAAAB1kYXRhAAAAAQAAAABMYXZmNTkuMjcuMTAwAAAACGZyZWUAAALdbWRhdAAAAq8GBf//q9xF6b3m2Ui3lizYINkj7u94MjY0IC0gY29yZSAxNjQgcjMwOTUgYmFlZTQwMCAtIEguMjY0L01QRUctNCBBVkMgY29kZWMgLSBDb3B5bGVmdCAyMDAzLTIwMjIgLSBodHRwOi8vd3d3LnZpZGVvbGFuLm9yZy94MjY0Lmh0bWwgLSBvcHRpb25zOiBjYWJhYz0xIHJlZj0zIGRlYmxvY2s9MTotMzotMyBhbmFseXNlPTB4MzoweDExMyBtZT1oZXggc3VibWU9NyBwc3k9MSBwc3lfcmQ9Mi4wMDowLjcwIG1peGVkX3JlZj0xIG1lX3JhbmdlPTE2IGNocm9tYV9tZT0xIHRyZWxsaXM9MSA4eDhkY3Q9MSBjcW09MCBkZWFkem9uZT0yMSwxMSBmYXN0X3Bza2lwPTEgY2hyb21hX3FwX29mZnNldD0tNCB0aHJlYWRzPTEgbG9va2FoZWFkX3RocmVhZHM9MSBzbGljZWRfdGhyZWFkcz0wIG5yPTAgZGVjaW1hdGU9MSBpbnRlcmxhY2VkPTAgYmx1cmF5X2NvbXBhdD0wIGNvbnN0cmFpbmVkX2ludHJhPTAgYmZyYW1lcz0zIGJfcHlyYW1pZD0yIGJfYWRhcHQ9MSBiX2JpYXM9MCBkaXJlY3Q9MSB3ZWlnaHRiPTEgb3Blbl9nb3A9MCB3ZWlnaHRwPTIga2V5aW50PTI1MCBrZXlpbnRfbWluPTEgc2NlbmVjdXQ9NDAgaW50cmFfcmVmcmVzaD0wIHJjX2xvb2thaGVhZD00MCByYz1jcmYgbWJ0cmVlPTEgY3JmPTIzLjAgcWNvbXA9MC42MCBxcG1pbj0wIHFwbWF4PTY5IHFwc3RlcD00IGlwX3JhdGlvPTEuNDAgYXE9MToxLjIwAIAAAAARZYiEABfOf/731LfMsu4HI4EAAAAJQZohbEF85/7w" };
  function keepAwake(on) {
    if (awake.on === on) return;
    awake.on = on;
    if (on) return stayAwake();
    if (awake.lock) { awake.lock.release().catch(function () {}); awake.lock = null; }
    if (awake.video) awake.video.pause();
  }
  function stayAwake() {
    if (!awake.on || document.hidden) return;
    if ("wakeLock" in navigator && window.isSecureContext) {
      navigator.wakeLock.request("screen").then(function (l) {
        if (awake.on) awake.lock = l; else l.release();
      }).catch(function () {});
      return;
    }
    if (!awake.video) {
      var v = document.createElement("video");
      v.muted = true;
      v.loop = true;
      v.setAttribute("playsinline", "");
      v.setAttribute("muted", "");
      v.className = "awake";
      v.src = v.canPlayType("video/webm") ? SILENT.webm : SILENT.mp4;
      document.body.appendChild(v);
      awake.video = v;
    }
    var played = awake.video.play();
    if (played && played.catch) played.catch(function () {});
  }
  // A lock is let go when the page is hidden; back in front, take it again.
  document.addEventListener("visibilitychange", stayAwake);

  // kind: "off" (nothing more will work) or "asking" (someone must answer).
  function say(text, kind) {
    notice.textContent = text;
    notice.hidden = !text;
    notice.classList.toggle("off", kind === "off");
    notice.classList.toggle("asking", kind === "asking");
  }

  function Row(file) {
    this.file = file;
    this.id = null;
    this.sent = 0;
    this.state = "queued";
    this.li = document.createElement("li");
    var top = document.createElement("div");
    top.className = "top";
    this.nameEl = document.createElement("span");
    this.nameEl.className = "name";
    this.nameEl.textContent = file.name;  // text, never markup
    this.sizeEl = document.createElement("span");
    this.sizeEl.className = "size";
    this.sizeEl.textContent = human(file.size);
    top.appendChild(this.nameEl);
    top.appendChild(this.sizeEl);
    var track = document.createElement("div");
    track.className = "track";
    this.bar = document.createElement("div");
    this.bar.className = "fill";
    track.appendChild(this.bar);
    this.stateEl = document.createElement("div");
    this.stateEl.className = "state";
    this.stateEl.setAttribute("role", "status");
    this.li.appendChild(top);
    this.li.appendChild(track);
    this.li.appendChild(this.stateEl);
    this.show("queued", "Waiting");
  }
  // Files still going when the page went away (closed, reloaded, killed
  // while the phone slept), so the page can say on its return which file
  // stopped where; picking the file again resumes it from the computer's copy.
  var UNFINISHED = "ferry-unfinished " + base;
  function unfinished() { try { return JSON.parse(localStorage.getItem(UNFINISHED) || "{}"); } catch (e) { return {}; } }
  function noteUnfinished(row) {
    var now = Date.now();
    var going = row.state === "sending" || row.state === "waiting" || row.state === "asking";
    if (going && now - (row.noted || 0) < 1000) return;  // at most once a second
    row.noted = now;
    var all = unfinished();
    var key = storageKey(row.file);
    if (going) all[key] = { name: row.file.name, size: row.file.size, sent: row.sent };
    else if (row.state !== "queued") delete all[key];
    try { localStorage.setItem(UNFINISHED, JSON.stringify(all)); } catch (e) {}
  }
  function sayUnfinished() {
    var all = unfinished(), lines = [];
    for (var k in all) {
      var u = all[k];
      lines.push(u.name + " stopped at " + Math.floor((100 * u.sent) / (u.size || 1)) + " %: choose it again to continue.");
    }
    if (lines.length) say(lines.join(" "));
  }

  Row.prototype.show = function (state, text) {
    this.state = state;
    noteUnfinished(this);
    this.li.className = state;
    this.li.dataset.state = state;
    this.stateEl.textContent = text;
    var total = this.file.size;
    this.bar.style.width = (total ? Math.min(100, (100 * this.sent) / total) : state === "done" ? 100 : 0) + "%";
    updateSummary();
  };
  // `counted`: `sent` is the computer's count of what has arrived, not the
  // browser's of what it has handed over.
  Row.prototype.progress = function (sent, rate, counted) {
    this.sent = sent;
    // All of it there: what is left is the computer's writing it to its disk.
    if (counted && sent >= this.file.size && sent > 0) return this.show("sending", human(sent) + " sent · saving on the computer…");
    var left = rate > 0 ? (this.file.size - sent) / rate : NaN;
    var parts = [human(sent) + " of " + human(this.file.size)];
    if (rate > 0) parts.push(human(rate) + "/s", duration(left));
    this.show("sending", parts.join(" · "));
  };

  function updateSummary() {
    var done = 0, failed = 0;
    for (var i = 0; i < items.length; i++) {
      if (items[i].state === "done") done++;
      if (items[i].state === "failed") failed++;
    }
    summary.textContent = done + " of " + items.length + " saved" + (failed ? ", " + failed + " failed" : "");
  }

  function request(method, url, timeout) {
    return new Promise(function (resolve) {
      var x = new XMLHttpRequest();
      x.open(method, url);
      x.setRequestHeader("X-Ferry-Device", device);
      x.onload = function () { resolve(x); };
      x.onerror = x.ontimeout = x.onabort = function () { resolve({ status: 0, responseText: "" }); };
      x.timeout = timeout || 20000;
      x.send();
    });
  }

  function Retry(text) { this.text = text; }
  function Fatal(text) { this.text = text; }
  function why(x, fallback) { return (x.responseText || "").trim() || fallback; }

  // One PUT of the file from `offset`; resolves with the XHR when it ends.
  //
  // The browser counts what it has handed to its socket, whose buffers take
  // megabytes at once: its progress events only tell that the upload is
  // alive. What the row shows is the computer's count of what has arrived,
  // asked for once a second (HEAD answers Upload-Received while a PUT
  // writes the file).
  function put(row, id, offset) {
    return new Promise(function (resolve) {
      var x = new XMLHttpRequest();
      var watchdog = 0, ended = false, waiting = false;
      var arrived = -1, arrivedAt = 0, rate = 0;
      function stalled() { x.abort(); }
      function arm() { clearTimeout(watchdog); watchdog = setTimeout(stalled, STALL_MS); }
      function ask() {
        if (waiting) return;  // one question at a time: an answer is timed by when it was asked
        waiting = true;
        var asked = performance.now();
        request("HEAD", base + "?upload=" + encodeURIComponent(id), 5000).then(function (h) {
          waiting = false;
          var got = h.getResponseHeader ? h.getResponseHeader("Upload-Received") : null;
          var n = Number(got);
          if (ended || got === null || !(n >= arrived)) return;
          if (arrived >= 0 && asked > arrivedAt) {
            var inst = (n - arrived) / ((asked - arrivedAt) / 1000);
            rate = rate ? rate * 0.5 + inst * 0.5 : inst;
          }
          arrived = n;
          arrivedAt = asked;
          row.progress(arrived, rate, true);
        });
      }
      var asking = setInterval(ask, 1000);
      x.open("PUT", base + "?upload=" + encodeURIComponent(id) + "&offset=" + offset);
      x.upload.onprogress = arm;
      function end() { ended = true; clearInterval(asking); clearTimeout(watchdog); resolve(x); }
      x.onload = end;
      x.onerror = x.onabort = end;
      arm();
      x.send(row.file.slice(offset));
    });
  }

  function attempt(row) {
    var f = row.file;
    var id = row.id || recall(f);
    var offset = 0;
    var asked = id ? request("HEAD", base + "?upload=" + encodeURIComponent(id)) : Promise.resolve(null);
    return asked.then(function (x) {
      if (x && x.status === 200) {
        offset = Number(x.getResponseHeader("Upload-Offset")) || 0;
        return id;
      }
      if (x && x.status === 409) throw new Retry("Waiting for the computer to finish writing…");
      if (x && x.status === 410) { remember(f, null); throw new Fatal("Cancelled on the computer."); }
      if (x && x.status === 0) throw new Retry("This computer cannot be reached.");
      remember(f, null);
      // While the computer's user is asked, the answer takes as long as they
      // do (the computer gives up after a minute): say so unless it is quick.
      var waiting = asks ? setTimeout(function () {
        row.show("asking", WAITING);
        say(WAITING + " Someone at the computer needs to accept these files.", "asking");
      }, 300) : 0;
      var url = base + "?name=" + encodeURIComponent(f.name) + "&size=" + f.size + "&more=" + queue.length;
      return request("POST", url, asks ? 90000 : 0).then(function (h) {
        clearTimeout(waiting);
        if (row.state === "asking") say("");
        if (h.status === 201) {
          var fresh = JSON.parse(h.responseText).id;
          remember(f, fresh);
          return fresh;
        }
        if (h.status === 0) throw new Retry("This computer cannot be reached.");
        if (h.status === 404) throw new Fatal("Receiving is turned off on this computer.");
        if (h.status === 503) throw new Retry(why(h, "This computer is busy."));
        if (h.status === 403 && asks) {
          declined = why(h, "This computer declined the files.");
          say(declined, "off");
          throw new Fatal(declined);
        }
        throw new Fatal(why(h, "The computer refused this file (" + h.status + ")."));
      });
    }).then(function (gotId) {
      id = row.id = gotId;
      row.sent = offset;
      row.progress(offset, 0);
      if (offset > 0) row.stateEl.textContent = "Resuming from " + human(offset) + "…";
      return put(row, id, offset);
    }).then(function (x) {
      if (x.status === 201) {
        remember(f, null);
        var saved = JSON.parse(x.responseText).name;
        row.sent = f.size;
        row.show("done", saved === f.name ? "Saved" : "Saved as " + saved);
        return;
      }
      if (x.status === 0) throw new Retry("The connection was lost.");
      if (x.status === 409) throw new Retry("Picking up from the computer’s copy…");
      if (x.status === 410) { remember(f, null); throw new Fatal("Cancelled on the computer."); }
      if (x.status === 404) { row.id = null; remember(f, null); throw new Retry("Starting again…"); }
      throw new Fatal(why(x, "The computer refused this file (" + x.status + ")."));
    });
  }

  // Waits `ms`, or less when the network comes back or the page is shown again.
  function pause(ms) {
    return new Promise(function (resolve) {
      var t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        window.removeEventListener("online", done);
        document.removeEventListener("visibilitychange", onVisible);
        resolve();
      }
      function onVisible() { if (!document.hidden) done(); }
      window.addEventListener("online", done);
      document.addEventListener("visibilitychange", onVisible);
    });
  }

  function send(row) {
    var wait = 1000;
    function loop() {
      return attempt(row).catch(function (e) {
        if (e instanceof Fatal) {
          row.show("failed", e.text);
          if (/turned off/.test(e.text)) say("Receiving is turned off on this computer. Turn it on in Ferry's window, then pick the files again.", "off");
          return;
        }
        if (!(e instanceof Retry)) e = new Retry("Something went wrong.");
        row.show("waiting", e.text + " Trying again in a moment; nothing is lost.");
        return pause(wait).then(function () {
          wait = Math.min(wait * 2, 15000);
          return loop();
        });
      });
    }
    return loop();
  }

  function pump() {
    if (running) return;
    var row = queue.shift();
    if (!row) { keepAwake(false); return; }
    keepAwake(true);
    if (declined) {
      // Declined once, the files picked with it are not offered again.
      row.show("failed", "Not sent: " + declined);
      return pump();
    }
    running = true;
    send(row).then(function () {
      running = false;
      pump();
    });
  }

  function add(files) {
    if (!running && !queue.length) declined = null;  // a new pick asks again
    if (!notice.classList.contains("off") && !notice.classList.contains("asking")) say("");
    for (var i = 0; i < files.length; i++) {
      var row = new Row(files[i]);
      items.push(row);
      list.appendChild(row.li);
      queue.push(row);
    }
    section.hidden = items.length === 0;
    updateSummary();
    pump();
  }

  sayUnfinished();

  input.addEventListener("change", function () {
    add(input.files);
    input.value = "";  // the same file may be picked again
  });
  document.addEventListener("dragover", function (e) {
    e.preventDefault();
    pick.classList.add("over");
  });
  document.addEventListener("dragleave", function () { pick.classList.remove("over"); });
  document.addEventListener("drop", function (e) {
    e.preventDefault();
    pick.classList.remove("over");
    if (e.dataTransfer && e.dataTransfer.files.length) add(e.dataTransfer.files);
  });
  window.addEventListener("beforeunload", function (e) {
    for (var i = 0; i < items.length; i++) {
      if (items[i].state !== "done" && items[i].state !== "failed") {
        e.preventDefault();
        e.returnValue = "";
        return;
      }
    }
  });
})();
