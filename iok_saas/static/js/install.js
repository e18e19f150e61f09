// Registers the service worker that shows "Brak połączenia" when there is no connection
// (it stores nothing else: see iok_saas/web/install.py).
if ("serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js", {scope: "/"}).catch(() => {});
  });
}
