// The cooperative's IOK service worker: it keeps the offline page ("Brak połączenia") and the
// files it needs, and nothing else. Every other request goes to the network untouched, so no
// personal page is ever stored on the device.
const CACHE = "iok-offline-{{ version }}";
const OFFLINE = {{ offline | tojson }};
const KEEP = {{ urls | tojson }};

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE)
    .then((cache) => cache.addAll(KEEP.map((url) => new Request(url, {credentials: "omit"}))))
    .then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((name) => name !== CACHE)
      .map((name) => caches.delete(name))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  if (request.mode === "navigate") {
    // The page from the network; only when there is no network at all, the offline page.
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE)));
    return;
  }
  const path = new URL(request.url).pathname;
  if (KEEP.includes(path)) {
    event.respondWith(fetch(request).catch(() => caches.match(path)));
  }
});
