/**
 * The only JavaScript pages need: live stock on product pages and the activity beacon. Pages work
 * without it; the stock words mirror domain/stock.ts.
 */
export const SCRIPT = `(function () {
  'use strict';
  var LOW = 5;
  function label(n) { return n <= 0 ? 'Out of stock' : n <= LOW ? 'Only ' + n + ' left' : 'In stock'; }
  function state(n) { return n <= 0 ? 'out' : n <= LOW ? 'low' : 'in'; }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  function liveStock(root) {
    var form = root.querySelector('form[data-variants]');
    var status = document.getElementById('stock-status');
    var stock = {};
    function selected() {
      return form && form.querySelector('input[name="sku"]:checked, input[name="sku"][type="hidden"]');
    }
    function describe() {
      var input = selected();
      if (!input || !(input.value in stock) || !status) return;
      var name = input.getAttribute('data-label');
      var text = (name ? name + ': ' : '') + label(stock[input.value]);
      // Only a real change is written, so screen readers hear the live region when stock moves.
      if (status.textContent !== text) status.textContent = text;
      var button = form.querySelector('button[type="submit"]');
      if (button) button.disabled = stock[input.value] <= 0;
    }
    function apply(totals) {
      totals.forEach(function (t) {
        stock[t.sku] = t.available;
        document.querySelectorAll('[data-stock-for]').forEach(function (el) {
          if (el.getAttribute('data-stock-for') !== t.sku) return;
          el.textContent = label(t.available);
          el.className = 'stock-' + state(t.available);
        });
        document.querySelectorAll('input[name="sku"][type="radio"]').forEach(function (input) {
          if (input.value === t.sku) input.disabled = t.available <= 0 && !input.checked;
        });
      });
      describe();
    }
    if (form) form.addEventListener('change', describe);
    function connect() {
      var source = new EventSource('/live/stock?skus=' + encodeURIComponent(root.getAttribute('data-live-skus')));
      source.addEventListener('stock', function (e) { try { apply(JSON.parse(e.data)); } catch (err) { /* a bad message changes nothing */ } });
      source.onerror = function () {
        // The browser retries a dropped stream itself; a refused one is retried here, slowly.
        if (source.readyState === EventSource.CLOSED) setTimeout(connect, 15000);
      };
    }
    if (window.EventSource) connect();
  }

  function beacon(el) {
    var d = el.dataset;
    var event = { type: d.beacon, eventId: uuid(), eventTime: new Date().toISOString() };
    if (d.beacon === 'product_viewed') { event.productId = d.productId; event.sku = d.sku || null; }
    if (d.beacon === 'search_performed') { event.query = d.query; event.resultCount = Number(d.resultCount); }
    var body = JSON.stringify({ events: [event] });
    if (navigator.sendBeacon && navigator.sendBeacon('/beacon', body)) return;
    // The same eventId on every try, so the activity service counts the event once.
    (function send(attempt) {
      fetch('/beacon', { method: 'POST', body: body, keepalive: true, credentials: 'same-origin', headers: { 'content-type': 'text/plain' } })
        .then(function (r) { if (r.status >= 500 && attempt < 3) setTimeout(function () { send(attempt + 1); }, 2000 * attempt); })
        .catch(function () { if (attempt < 3) setTimeout(function () { send(attempt + 1); }, 2000 * attempt); });
    })(1);
  }

  document.querySelectorAll('[data-live-skus]').forEach(liveStock);
  document.querySelectorAll('[data-beacon]').forEach(beacon);
})();
`;
