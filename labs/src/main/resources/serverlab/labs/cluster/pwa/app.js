// The whole app runs in the browser: notes are kept in localStorage, so adding and listing them sends
// nothing to the server. Only the files themselves come from it, and the service worker caches those.
const KEY = 'serverlab-notes';
const list = document.getElementById('notes');
const status = document.getElementById('status');

function notes() {
  return JSON.parse(localStorage.getItem(KEY) || '[]');
}

function show() {
  list.replaceChildren(...notes().map(text => Object.assign(document.createElement('li'), { textContent: text })));
}

document.getElementById('add').addEventListener('submit', event => {
  event.preventDefault();
  const input = document.getElementById('text');
  localStorage.setItem(KEY, JSON.stringify([...notes(), input.value]));
  input.value = '';
  show();
});

show();
status.textContent = 'ready';
status.dataset.state = 'ready';
if (document.documentElement.dataset.serviceWorker === 'on' && 'serviceWorker' in navigator) {
  navigator.serviceWorker.register('file?name=sw.js')
    .then(() => navigator.serviceWorker.ready)
    .then(() => { status.textContent = 'ready, works offline'; });
}
