// Installs with a copy of every file of the app; then answers each request from that copy, and only
// what it does not hold from the network. The page and its files keep working without a server.
const CACHE = 'notes-v1';
const FILES = ['file?name=index.html', 'file?name=app.js', 'file?name=app.css', 'file?name=icon.svg', 'file?name=app.webmanifest'];

self.addEventListener('install', event => {
  event.waitUntil(caches.open(CACHE).then(cache => cache.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', event => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener('fetch', event => {
  event.respondWith(caches.match(event.request).then(copy => copy || fetch(event.request)));
});
