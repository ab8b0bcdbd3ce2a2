// The service worker of the installable app. It keeps ONLY the static shell (the page at
// "/" and the files under /app/) for a start without network: network first, the cached
// copy when the network fails. API answers (/api/…) and anything else are never touched
// or stored, so no personal data lands in the cache. It also brings the app to the front
// when the person clicks the notification of an incoming call (shown by phone/phone.js).
const CACHE = 'durchwahl-shell-v1';

self.addEventListener('install', () => self.skipWaiting());

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name);
    await self.clients.claim();
  })());
});

function isShell(request) {
  if (request.method !== 'GET') return false;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return false;
  return url.pathname === '/' || (url.pathname.startsWith('/app/') && url.pathname !== '/app/sw.js');
}

self.addEventListener('fetch', (event) => {
  if (!isShell(event.request)) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      const response = await fetch(event.request);
      if (response.ok && response.type === 'basic') await cache.put(event.request, response.clone());
      return response;
    } catch (error) {
      const cached = await cache.match(event.request, { ignoreSearch: new URL(event.request.url).pathname === '/' });
      if (cached) return cached;
      throw error;
    }
  })());
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const open = windows.find((w) => new URL(w.url).origin === self.location.origin);
    if (open) return open.focus();
    return self.clients.openWindow('/#/team');
  })());
});
