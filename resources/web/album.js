// A shared folder's page, made better where a script may run: the
// grid/list switch (remembered on this device) and a full-screen viewer
// for pictures, clips and sound: arrows, swipes and Escape; the original
// where the browser shows it, "?view" where it cannot (HEIC, TIFF). Without
// the script every tile is still a link that shows or downloads its file.
// A long folder's page comes with its first rows: the last part below adds
// the rest, and tells the others ("ferry:rows" on the list) so that they
// see every row.
"use strict";
(function () {
  const entries = document.getElementById("entries");
  if (!entries) return;

  // Grid or list: the page's own choice until the visitor makes one.
  const views = document.querySelector(".views");
  const VIEW_KEY = "ferry-view";
  function storedView() {
    try { return localStorage.getItem(VIEW_KEY); } catch (e) { return null; }
  }
  function showAs(view, remember) {
    entries.classList.toggle("grid", view === "grid");
    entries.classList.toggle("list", view !== "grid");
    for (const b of views.querySelectorAll("button"))
      b.setAttribute("aria-pressed", String(b.dataset.view === view));
    if (remember) {
      try { localStorage.setItem(VIEW_KEY, view); } catch (e) { /* private mode: this page only */ }
    }
  }
  if (views) {
    views.hidden = false;
    const saved = storedView();
    showAs(saved === "grid" || saved === "list" ? saved : (entries.classList.contains("grid") ? "grid" : "list"), false);
    views.addEventListener("click", function (ev) {
      const b = ev.target.closest("button[data-view]");
      if (b) showAs(b.dataset.view, true);
    });
  }

  // The viewer.
  const SHOWN = { image: 1, view: 1, video: 1, audio: 1 };
  function shownRows() {
    return Array.from(entries.querySelectorAll("li[data-kind]")).filter(function (li) {
      return SHOWN[li.dataset.kind];
    });
  }
  // Rows added later come after these: an open viewer's place stays right.
  let items = shownRows();
  entries.addEventListener("ferry:rows", function () { items = shownRows(); });
  const viewer = document.getElementById("viewer");
  const stage = document.getElementById("viewer-stage");
  const nameBox = document.getElementById("viewer-name");
  const metaBox = document.getElementById("viewer-meta");
  const hint = document.getElementById("viewer-hint");
  const download = document.getElementById("viewer-download");
  const prevButton = document.getElementById("viewer-prev");
  const nextButton = document.getElementById("viewer-next");
  const closeButton = document.getElementById("viewer-close");
  const appleMobile = /iPhone|iPad|iPod/.test(navigator.userAgent) ||
      (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
  let current = -1;
  let returnFocus = null;

  function linkOf(li) { return li.querySelector("a"); }
  // "IMG_1.jpg?inline" → "IMG_1.jpg": the file's own link.
  function fileHref(li) { return linkOf(li).getAttribute("href").split("?")[0]; }
  function textOf(li, selector) {
    const el = li.querySelector(selector);
    return el ? el.textContent : "";
  }

  function show(i) {
    current = (i + items.length) % items.length;
    const li = items[current];
    const kind = li.dataset.kind;
    const name = textOf(li, ".name");
    const href = fileHref(li);
    stage.textContent = "";
    let media;
    if (kind === "video" || kind === "audio") {
      media = document.createElement(kind);
      media.controls = true;
      media.preload = "metadata";
      if (kind === "video") {
        media.playsInline = true;
        media.setAttribute("playsinline", "");
        media.poster = href + "?thumb";
      }
      media.addEventListener("error", function () {
        metaBox.textContent = "This browser cannot play this file. Download it to watch it.";
      });
      media.src = href + "?inline";
    } else {
      media = document.createElement("img");
      media.alt = name;
      media.decoding = "async";
      media.src = href + (kind === "view" ? "?view" : "?inline");
    }
    media.className = "shown";
    stage.appendChild(media);
    nameBox.textContent = name;
    // Each part kept on one line ("2 of 5" never split), broken between parts.
    const parts = [textOf(li, ".size"), textOf(li, ".date")];
    if (items.length > 1) parts.push((current + 1) + " of " + items.length);
    metaBox.textContent = parts.filter(Boolean).map(function (p) {
      return p.replace(/ /g, "\u00a0");
    }).join(" \u00b7 ");
    hint.hidden = !(appleMobile && (kind === "image" || kind === "view"));
    download.href = href + "?download";
    download.setAttribute("download", name);
    const several = items.length > 1;
    prevButton.hidden = nextButton.hidden = !several;
    // The next picture is on its way before it is asked for.
    const after = items[(current + 1) % items.length];
    if (several && (after.dataset.kind === "image" || after.dataset.kind === "view")) {
      const pre = new Image();
      pre.src = fileHref(after) + (after.dataset.kind === "view" ? "?view" : "?inline");
    }
  }

  function open(i) {
    returnFocus = document.activeElement;
    viewer.hidden = false;
    document.documentElement.classList.add("viewing");
    show(i);
    closeButton.focus();
    // The phone's Back button closes the viewer, not the folder.
    if (!(history.state && history.state.ferryViewer)) history.pushState({ ferryViewer: 1 }, "");
  }

  function hide() {
    if (viewer.hidden) return;
    stage.textContent = "";  // stops a clip and frees the picture
    viewer.hidden = true;
    document.documentElement.classList.remove("viewing");
    if (current >= 0) linkOf(items[current]).focus();
    else if (returnFocus) returnFocus.focus();
    current = -1;
  }

  function close() {
    if (history.state && history.state.ferryViewer) history.back();  // popstate hides it
    else hide();
  }

  window.addEventListener("popstate", hide);

  entries.addEventListener("click", function (ev) {
    if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    const li = ev.target.closest("li[data-kind]");
    const i = li ? items.indexOf(li) : -1;
    if (i < 0) return;
    ev.preventDefault();
    open(i);
  });

  prevButton.addEventListener("click", function () { show(current - 1); });
  nextButton.addEventListener("click", function () { show(current + 1); });
  closeButton.addEventListener("click", close);

  document.addEventListener("keydown", function (ev) {
    if (viewer.hidden) return;
    if (ev.key === "Escape") { ev.preventDefault(); close(); }
    else if (ev.key === "ArrowRight") { ev.preventDefault(); show(current + 1); }
    else if (ev.key === "ArrowLeft") { ev.preventDefault(); show(current - 1); }
    else if (ev.key === "Tab") {
      // Focus stays in the dialog while it is open.
      const focusable = Array.from(viewer.querySelectorAll("button:not([hidden]), a[href], video, audio"));
      const first = focusable[0], last = focusable[focusable.length - 1];
      if (ev.shiftKey && document.activeElement === first) { ev.preventDefault(); last.focus(); }
      else if (!ev.shiftKey && document.activeElement === last) { ev.preventDefault(); first.focus(); }
    }
  });

  // A swipe with one finger goes to the next or previous picture; two
  // fingers are the browser's own pinch zoom, and a zoomed picture pans.
  let startX = 0, startY = 0, tracking = false;
  function zoomed() { return window.visualViewport && window.visualViewport.scale > 1.01; }
  viewer.addEventListener("touchstart", function (ev) {
    tracking = ev.touches.length === 1 && !zoomed();
    if (tracking) { startX = ev.touches[0].clientX; startY = ev.touches[0].clientY; }
  }, { passive: true });
  viewer.addEventListener("touchmove", function (ev) {
    if (ev.touches.length > 1) tracking = false;
  }, { passive: true });
  viewer.addEventListener("touchend", function (ev) {
    if (!tracking || ev.changedTouches.length !== 1) return;
    tracking = false;
    const dx = ev.changedTouches[0].clientX - startX, dy = ev.changedTouches[0].clientY - startY;
    if (Math.abs(dx) < 50 || Math.abs(dx) < 1.5 * Math.abs(dy)) return;
    show(current + (dx < 0 ? 1 : -1));
  });
})();

// Select: pick files (a checkbox on each, or a long press on a touch
// screen), then one zip of just those. The picked names are the zip link's
// own ("?zip&f=a.jpg&f=b.jpg"), so a resume asks for the same zip.
(function () {
  const entries = document.getElementById("entries");
  const toggle = document.getElementById("select-toggle");
  const bar = document.getElementById("picked");
  if (!entries || !toggle || !bar) return;
  const zip = document.getElementById("picked-zip");
  const note = document.getElementById("picked-note");
  // The request line is at most 8 KiB: the page's path and the names must fit.
  const MAX_LINK = 7000;
  let rows = Array.from(entries.querySelectorAll("li[data-kind]"));
  if (!rows.length) return;
  toggle.hidden = false;

  // "IMG_1.jpg?inline" or "Day%201/": the entry's name as its link has it
  // (already percent-encoded, exactly the bytes on disk).
  function encodedName(li) {
    return li.querySelector("a").getAttribute("href").split("?")[0].replace(/\/$/, "");
  }
  function addBoxes(list) {
    for (const li of list) {
      const box = document.createElement("input");
      box.type = "checkbox";
      box.className = "pick";
      box.setAttribute("aria-label", "Select " + li.querySelector(".name").textContent);
      box.addEventListener("change", update);
      li.insertBefore(box, li.firstChild);
    }
  }
  addBoxes(rows);
  // The rest of a long folder's rows can be picked like the first.
  entries.addEventListener("ferry:rows", function (ev) {
    addBoxes(ev.detail);
    rows = Array.from(entries.querySelectorAll("li[data-kind]"));
  });

  function picked() { return rows.filter(function (li) { return li.querySelector(".pick").checked; }); }

  // "3.4 MB", "512 bytes": as the page's own sizes read.
  function humanSize(bytes) {
    if (bytes < 1000) return bytes + (bytes === 1 ? " byte" : " bytes");
    const units = ["KB", "MB", "GB", "TB", "PB"];
    let v = bytes / 1000, u = 0;
    while (v >= 999.95 && u < 4) { v /= 1000; ++u; }
    return (v < 10 ? v.toFixed(1) : v.toFixed(0)) + " " + units[u];
  }

  function update() {
    const chosen = picked();
    const folders = chosen.some(function (li) { return li.dataset.kind === "folder"; });
    const n = chosen.length;
    zip.textContent = "";
    const what = document.createElement("span");
    what.textContent = "Download " + n + " " + (folders ? (n === 1 ? "item" : "items") : (n === 1 ? "file" : "files")) +
        " (.zip)";
    zip.appendChild(what);
    // What it carries, when every picked entry's size is known (a folder's
    // is once the server has counted it).
    if (n > 0 && chosen.every(function (li) { return li.dataset.bytes !== undefined; })) {
      const size = document.createElement("span");
      size.className = "carries";
      size.textContent = humanSize(chosen.reduce(function (sum, li) { return sum + Number(li.dataset.bytes); }, 0));
      zip.appendChild(size);
    }
    const href = "?zip" + chosen.map(function (li) { return "&f=" + encodedName(li); }).join("");
    const tooLong = location.pathname.length + href.length > MAX_LINK;
    note.hidden = !tooLong;
    if (n === 0 || tooLong) {
      zip.removeAttribute("href");
      zip.setAttribute("aria-disabled", "true");
    } else {
      zip.href = href;
      zip.removeAttribute("aria-disabled");
    }
  }

  function selecting(on) {
    entries.classList.toggle("selecting", on);
    toggle.setAttribute("aria-pressed", String(on));
    toggle.textContent = on ? "Done" : "Select";
    bar.hidden = !on;
    if (!on) for (const li of rows) li.querySelector(".pick").checked = false;
    update();
  }

  toggle.addEventListener("click", function () { selecting(!entries.classList.contains("selecting")); });
  document.getElementById("picked-cancel").addEventListener("click", function () { selecting(false); });

  // While selecting, a tap on a tile picks it (before the viewer sees it).
  entries.addEventListener("click", function (ev) {
    if (!entries.classList.contains("selecting")) return;
    const li = ev.target.closest("li[data-kind]");
    if (!li || ev.target.classList.contains("pick")) return;
    ev.preventDefault();
    const box = li.querySelector(".pick");
    box.checked = !box.checked;
    update();
  }, true);

  // A long press starts selecting with that tile picked.
  let timer = 0, pressed = null, longPressed = false;
  entries.addEventListener("touchstart", function (ev) {
    const li = ev.target.closest("li[data-kind]");
    if (!li || ev.touches.length !== 1) return;
    pressed = li;
    longPressed = false;
    timer = setTimeout(function () {
      longPressed = true;
      if (!entries.classList.contains("selecting")) selecting(true);
      pressed.querySelector(".pick").checked = true;
      update();
    }, 550);
  }, { passive: true });
  function cancelPress() { clearTimeout(timer); }
  entries.addEventListener("touchmove", cancelPress, { passive: true });
  entries.addEventListener("touchend", function (ev) {
    cancelPress();
    if (longPressed) { ev.preventDefault(); longPressed = false; }  // no tap after the press
  });
  entries.addEventListener("contextmenu", function (ev) {
    if (longPressed || entries.classList.contains("selecting")) ev.preventDefault();
  });
})();

// The rest of a long folder's rows. The page comes with its first rows (a
// screen's worth arrives and is laid out at once, however long the folder)
// and a link to the page with all of them. Once the first screen is shown
// (the window's load event waits for its pictures and no others), or as
// soon as the visitor nears or follows that link, the rest is fetched in
// the page's own order (the link names it) and added to the list.
(function () {
  const entries = document.getElementById("entries");
  const more = document.getElementById("more");
  const link = more && more.querySelector("a[data-rows]");
  if (!entries || !link || !window.fetch) return;
  let asked = false, followed = false;

  function added(html) {
    const t = document.createElement("template");
    t.innerHTML = html;
    // A row the page has already (the folder changed in between) is not
    // added twice.
    const have = new Set();
    for (const a of entries.querySelectorAll("li[data-kind] > a")) have.add(a.getAttribute("href"));
    const rows = [];
    const batch = document.createDocumentFragment();
    for (const li of Array.from(t.content.children)) {
      const a = li.querySelector("a");
      if (!li.matches("li[data-kind]") || !a || have.has(a.getAttribute("href"))) continue;
      rows.push(li);
      batch.appendChild(li);
    }
    entries.appendChild(batch);
    return rows;
  }

  function fetchRest() {
    if (asked) return;
    asked = true;
    link.setAttribute("aria-busy", "true");
    fetch(link.getAttribute("data-rows"), { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.text();
      })
      .then(function (html) {
        const rows = added(html);
        // A visitor who followed the link (or had it in focus) goes on from
        // the first new row.
        const goOn = followed || document.activeElement === link;
        more.remove();
        entries.dispatchEvent(new CustomEvent("ferry:rows", { detail: rows }));
        if (goOn && rows.length) rows[0].querySelector("a").focus();
      })
      .catch(function () {
        // The link still leads to every row (a password page first, if the
        // visit has ended meanwhile).
        asked = false;
        link.removeAttribute("aria-busy");
        if (followed) location.href = link.href;
      });
  }

  link.addEventListener("click", function (ev) {
    if (ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    ev.preventDefault();
    followed = true;
    fetchRest();
  });
  if (document.readyState === "complete") fetchRest();
  else window.addEventListener("load", fetchRest);
  // A visitor scrolling fast gets there before the first screen's pictures.
  if (window.IntersectionObserver) {
    const near = new IntersectionObserver(function (seen) {
      if (!seen.some(function (e) { return e.isIntersecting; })) return;
      near.disconnect();
      fetchRest();
    }, { rootMargin: "0px 0px 1500px 0px" });
    near.observe(more);
  }
})();
