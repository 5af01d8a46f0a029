// This computer's page, live: one Server-Sent Events stream (see
// core/serve/nearby/nearby_handler.h) makes this browser a nearby device of
// the computer, which can then send it text and files; they appear here as
// cards, newest first. Text typed here goes to the computer.
//
//   GET  <link>?events[&name=N]  -> text/event-stream: hello {device, name, live},
//                                  then text {text}, file {name, size,
//                                  folder, link} and removed {link} (the
//                                  computer took that file back), each
//                                  with its id
//   POST <link>?text  (the text) -> 200 | 409 | 413 (over 64 KB) | 503 (not live)
//
// EventSource reconnects by itself and sends Last-Event-ID, so what was sent
// meanwhile arrives then; a reload gets every card still queued for this
// device (the cookie the stream sets keeps it the same device). Text is only
// ever put on the page as text: never as markup.
(function () {
  "use strict";

  var base = location.pathname.replace(/[^\/]*$/, "");
  var inbox = document.getElementById("inbox");
  var empty = document.getElementById("inbox-empty");
  var state = document.getElementById("link-state");
  var me = document.getElementById("me");
  var form = document.getElementById("text-form");
  var box = document.getElementById("text");
  var textState = document.getElementById("text-state");
  var MAX_TEXT = 64 * 1024;
  var TOO_LONG = "Text up to 64 KB can be sent at once: this is longer.";
  var seen = {};
  var source = null;

  function human(n) {
    var units = ["B", "KB", "MB", "GB", "TB"];
    var u = 0;
    while (n >= 1000 && u < units.length - 1) { n /= 1000; u++; }
    return (u === 0 ? n.toFixed(0) : n.toFixed(n < 10 ? 1 : 0)) + " " + units[u];
  }
  function savedName() { try { return localStorage.getItem("ferry-name") || ""; } catch (e) { return ""; } }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // Text with its web addresses as links; every piece is a text node.
  function linkified(text) {
    var p = el("p", "body");
    var re = /\bhttps?:\/\/[^\s<>"']+/g;
    var at = 0, m;
    while ((m = re.exec(text))) {
      var url = m[0].replace(/[.,;:!?)\]]+$/, "");
      if (m.index > at) p.appendChild(document.createTextNode(text.slice(at, m.index)));
      var a = el("a", "", url);
      a.href = url;
      a.rel = "noopener noreferrer";
      a.target = "_blank";
      p.appendChild(a);
      at = m.index + url.length;
      re.lastIndex = at;
    }
    if (at < text.length) p.appendChild(document.createTextNode(text.slice(at)));
    return p;
  }

  // Copy without the async clipboard API, which plain HTTP does not offer.
  function copy(text, button) {
    function done(ok) {
      button.textContent = ok ? "Copied" : "Select and copy";
      setTimeout(function () { button.textContent = "Copy"; }, 2000);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(false); });
      return;
    }
    var t = el("textarea");
    t.value = text;
    t.setAttribute("readonly", "");
    t.style.position = "fixed";
    t.style.opacity = "0";
    document.body.appendChild(t);
    t.select();
    t.setSelectionRange(0, text.length);
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) {}
    document.body.removeChild(t);
    done(ok);
  }

  function show(card, id) {
    card.dataset.id = id;
    card.classList.add("fresh");
    setTimeout(function () { card.classList.remove("fresh"); }, 4000);
    inbox.insertBefore(card, inbox.firstChild);
    empty.hidden = true;
  }

  function textCard(msg) {
    var li = el("li", "card text");
    var what = el("div", "what");
    what.appendChild(linkified(msg.text));
    li.appendChild(what);
    var b = el("button", "button secondary copy", "Copy");
    b.type = "button";
    b.addEventListener("click", function () { copy(msg.text, b); });
    li.appendChild(b);
    return li;
  }

  function fileCard(msg) {
    var li = el("li", "card file");
    li.dataset.link = msg.link;
    var icon = el("span", "file-icon" + (msg.folder ? " folder" : ""));
    icon.setAttribute("aria-hidden", "true");
    if (msg.folder) {
      li.appendChild(icon);
    } else {
      var img = el("img", "thumb");
      img.alt = "";
      img.addEventListener("error", function () { if (img.parentNode) img.parentNode.replaceChild(icon, img); });
      img.src = msg.link + "?thumb";
      li.appendChild(img);
    }
    var what = el("div", "what");
    what.appendChild(el("div", "name", msg.name));
    if (!msg.folder) what.appendChild(el("div", "size", human(msg.size)));
    li.appendChild(what);
    var a = el("a", "button download", msg.folder ? "Open" : "Download");
    a.href = msg.link;
    if (!msg.folder) a.setAttribute("download", msg.name);
    li.appendChild(a);
    return li;
  }

  // The computer took a file back: its link has ended, so the card keeps
  // its name but offers nothing to download (nor a picture to load).
  function takenBack(msg) {
    var cards = inbox.querySelectorAll(".card.file");
    for (var i = 0; i < cards.length; i++) {
      var li = cards[i];
      if (li.dataset.link !== msg.link || li.classList.contains("taken-back")) continue;
      li.classList.add("taken-back");
      var img = li.querySelector(".thumb");
      if (img) img.parentNode.replaceChild(el("span", "file-icon"), img);
      var a = li.querySelector(".download");
      if (a) a.parentNode.removeChild(a);
      var size = li.querySelector(".size");
      if (size) size.parentNode.removeChild(size);
      li.querySelector(".what").appendChild(el("div", "gone-note", "Taken back by the computer"));
    }
  }

  function onMessage(act) {
    return function (e) {
      if (seen[e.lastEventId]) return;  // replayed after a reconnect
      seen[e.lastEventId] = true;
      var msg;
      try { msg = JSON.parse(e.data); } catch (x) { return; }
      act(msg, e.lastEventId);
    };
  }
  function card(make) { return function (msg, id) { show(make(msg), id); }; }

  function connect() {
    if (source) source.close();
    var name = savedName();
    source = new EventSource(base + "?events" + (name ? "&name=" + encodeURIComponent(name) : ""));
    source.addEventListener("hello", function (e) {
      var hello = JSON.parse(e.data);
      // Only where this computer shows what the page sends, and can send to it.
      document.getElementById("nearby").hidden = !hello.live;
      me.textContent = hello.name;
      document.body.dataset.device = hello.device;
      state.textContent = "Connected";
      state.className = "link-state muted small on";
    });
    source.addEventListener("text", onMessage(card(textCard)));
    source.addEventListener("file", onMessage(card(fileCard)));
    source.addEventListener("removed", onMessage(takenBack));
    source.addEventListener("error", function () {
      var gone = source.readyState === EventSource.CLOSED;
      state.textContent = gone ? "Not connected: reload the page" : "Reconnecting…";
      state.className = "link-state small off";
      // Refused for good (too many pages open, the link ended): once more later.
      if (gone) setTimeout(connect, 30000);
    });
  }

  document.getElementById("rename").addEventListener("click", function () {
    var name = window.prompt("What should this computer call this device?", me.textContent);
    if (name === null) return;
    try { localStorage.setItem("ferry-name", name.trim().slice(0, 60)); } catch (e) {}
    connect();
  });

  function tell(text, bad) {
    textState.textContent = text;
    textState.className = "small " + (bad ? "bad" : "muted");
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = box.value;
    if (!text.trim()) return tell("Type some text first.", true);
    if (new Blob([text]).size > MAX_TEXT) return tell(TOO_LONG, true);
    tell("Sending…");
    var x = new XMLHttpRequest();
    x.open("POST", base + "?text");
    x.setRequestHeader("Content-Type", "text/plain; charset=utf-8");
    x.onload = function () {
      if (x.status === 200) {
        box.value = "";
        return tell("Sent to this computer.");
      }
      tell((x.responseText || "").trim() || "This computer refused the text (" + x.status + ").", true);
    };
    x.onerror = function () { tell("The text did not go: the connection was lost. Send it again.", true); };
    x.send(text);
  });

  // A phone coming back from sleep or a dead network: do not wait for the
  // browser's next retry.
  function revive() { if (!document.hidden && source && source.readyState === EventSource.CLOSED) connect(); }
  document.addEventListener("visibilitychange", revive);
  window.addEventListener("online", revive);

  if (window.EventSource) connect();
  else state.textContent = "This browser cannot receive from the computer.";
})();
