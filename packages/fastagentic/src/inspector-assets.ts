// The inspector's page, script and style as strings, so they are served from the Worker too (no
// file system). The script builds every piece of user data with textContent, never innerHTML.

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]!);
}

/** The page shell: no user data in it (that needs the token), only the app's escaped title. */
export function inspectorPage(title: string): string {
  const name = escapeHtml(title);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${name}: memory inspector</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/inspector/app.css">
<script src="/inspector/app.js" defer></script>
</head>
<body>
<header>
  <h1>${name}: memory inspector</h1>
  <span id="who"></span>
  <button type="button" id="sign-out" hidden>Sign out</button>
</header>
<p id="status" role="status"></p>
<section id="login">
  <form id="login-form">
    <label>Bearer token <input id="token" type="password" autocomplete="off" required></label>
    <button type="submit">Sign in</button>
  </form>
  <p class="hint">The token stays in this tab (sessionStorage) and is sent with every request.</p>
</section>
<main id="main" hidden>
  <section id="lookup" hidden>
    <form id="lookup-form">
      <label>Look up user id <input id="lookup-user" autocomplete="off" required></label>
      <button type="submit">Look up</button>
    </form>
  </section>
  <section>
    <h2>Memories of <span id="viewing"></span></h2>
    <button type="button" id="forget" class="danger">Forget this user…</button>
  </section>
  <section>
    <h2>What would be injected?</h2>
    <form id="search-form">
      <input id="query" type="search" placeholder="A message the user might send" required>
      <label>minRelevance <input id="min-relevance" type="range" min="0" max="1" step="0.05" value="0">
        <output id="min-relevance-value">0.00</output></label>
      <label>maxMemories <input id="max-memories" type="number" min="1" max="100" value="10"></label>
      <button type="submit">Search</button>
    </form>
    <p id="explain-summary"></p>
    <div class="columns" id="explain-results" hidden>
      <div><h3>Injected</h3><ol id="injected"></ol></div>
      <div><h3>Not injected, and why</h3><ol id="excluded"></ol></div>
    </div>
  </section>
  <section>
    <h2>Profile</h2>
    <p class="hint">Stable facts formation keeps about the user, injected on every turn (JSON, edited as a whole).</p>
    <form id="profile-form">
      <textarea id="profile" rows="6" spellcheck="false" aria-label="Profile (JSON)"></textarea>
      <button type="submit">Save profile</button>
    </form>
  </section>
  <section>
    <h2>Long-term memories</h2>
    <div class="pager"><button type="button" id="long-first">First page</button>
      <button type="button" id="long-next">Next page</button> <span id="long-page"></span></div>
    <ul id="long-list" class="memories"></ul>
  </section>
  <section id="session-section">
    <h2>Session memories</h2>
    <div class="pager"><button type="button" id="session-first">First page</button>
      <button type="button" id="session-next">Next page</button> <span id="session-page"></span></div>
    <ul id="session-list" class="memories"></ul>
  </section>
  <section>
    <h2>Latency (latest calls, this process)</h2>
    <button type="button" id="latency-refresh">Refresh</button>
    <div class="table-scroll">
      <table id="latency">
        <thead><tr><th>provider</th><th>operation</th><th>calls</th><th>errors</th><th>p50</th><th>p95</th><th>p99</th></tr></thead>
        <tbody></tbody>
      </table>
    </div>
    <p class="hint">A provider's first call opens the store, so it has a row of its own, outside the percentiles of its operation.</p>
  </section>
</main>
</body>
</html>
`;
}

export const INSPECTOR_STYLE = `body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 72rem; padding: 1rem; color: #1d232a; }
header { display: flex; flex-wrap: wrap; gap: 0 1rem; align-items: baseline; border-bottom: 1px solid #d0d7de; }
[hidden] { display: none !important; }
h1 { font-size: 1.3rem; margin: 0.5rem 0; flex: 1; }
h2 { font-size: 1.1rem; margin: 1.2rem 0 0.4rem; }
h3 { font-size: 0.95rem; margin: 0.4rem 0; }
section { margin-bottom: 1rem; }
form { display: flex; flex-wrap: wrap; gap: 0.6rem; align-items: center; }
input[type=search] { min-width: 20rem; }
input, button, textarea { font: inherit; padding: 0.25rem 0.5rem; }
textarea { display: block; width: 100%; box-sizing: border-box; font-family: ui-monospace, monospace; margin-bottom: 0.5rem; }
button { cursor: pointer; border: 1px solid #8c959f; border-radius: 4px; background: #f6f8fa; }
button.danger { border-color: #cf222e; color: #cf222e; }
#status { min-height: 1.4em; color: #0550ae; }
#status.error { color: #cf222e; }
.hint { color: #57606a; }
.columns { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
ol, ul.memories { padding-left: 1.4rem; }
ul.memories { list-style: none; padding: 0; }
li { margin-bottom: 0.5rem; }
.memory { border: 1px solid #d0d7de; border-radius: 6px; padding: 0.5rem; }
.memory-text { white-space: pre-wrap; word-break: break-word; }
.meta { color: #57606a; font-size: 0.85rem; }
.chip { display: inline-block; background: #ddf4ff; border-radius: 1rem; padding: 0 0.5rem; margin-right: 0.3rem; }
.reason { color: #9a6700; }
.score { font-variant-numeric: tabular-nums; color: #1a7f37; }
.score.below { color: #cf222e; }
pre { background: #f6f8fa; padding: 0.3rem; margin: 0.3rem 0; font-size: 0.8rem; white-space: pre-wrap; overflow-wrap: anywhere; }
.meta { overflow-wrap: anywhere; }
.table-scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; margin-top: 0.5rem; }
th, td { border: 1px solid #d0d7de; padding: 0.2rem 0.6rem; text-align: right; }
th:first-child, td:first-child, th:nth-child(2), td:nth-child(2) { text-align: left; }
tr.first-call td { color: #57606a; font-style: italic; }
@media (max-width: 40rem) {
  .columns { grid-template-columns: 1fr; }
  input[type=search] { min-width: 0; width: 100%; }
}
`;

// Plain ES2017, no template literals (this file is itself one), no innerHTML anywhere.
export const INSPECTOR_SCRIPT = String.raw`'use strict';
(function () {
  var TOKEN_KEY = 'fastagentic-inspector-token';
  var PAGE_SIZE = 10;
  var state = { me: null, subject: null, cursors: { long: [undefined], session: [undefined] }, next: {}, explainRun: 0 };

  function byId(id) { return document.getElementById(id); }
  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function status(message, isError) {
    var node = byId('status');
    node.textContent = message || '';
    node.className = isError ? 'error' : '';
  }
  function token() { return sessionStorage.getItem(TOKEN_KEY); }

  function withSubject(path, params) {
    var query = new URLSearchParams(params || {});
    if (state.subject && state.me && state.subject !== state.me.id) query.set('subject', state.subject);
    var text = query.toString();
    return text ? path + '?' + text : path;
  }

  async function api(method, path, body) {
    var headers = { authorization: 'Bearer ' + token() };
    if (body !== undefined) headers['content-type'] = 'application/json';
    var response = await fetch(path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body) });
    var data = await response.json().catch(function () { return null; });
    if (response.status === 401) { signOut('The token was refused: sign in again.'); throw new Error('unauthorized'); }
    if (!response.ok) throw new Error(data && data.error ? data.error.message : 'HTTP ' + response.status);
    return data;
  }

  function chips(categories) {
    var span = el('span');
    (categories || []).forEach(function (category) { span.appendChild(el('span', category, 'chip')); });
    return span;
  }

  function memoryItem(memory, store) {
    var item = el('li', null, 'memory');
    item.dataset.id = memory.id;
    item.appendChild(el('div', memory.memory, 'memory-text'));
    var meta = el('div', null, 'meta');
    meta.appendChild(chips(memory.categories));
    meta.appendChild(el('span', memory.id + ' · ' + memory.createdAt));
    item.appendChild(meta);
    if (Object.keys(memory.metadata || {}).length > 0) item.appendChild(el('pre', JSON.stringify(memory.metadata, null, 2)));
    var remove = el('button', 'Delete', 'danger delete');
    remove.type = 'button';
    remove.addEventListener('click', function () { deleteMemory(store, memory.id); });
    item.appendChild(remove);
    return item;
  }

  async function loadPage(store) {
    var cursors = state.cursors[store];
    var params = { store: store, limit: String(PAGE_SIZE) };
    var cursor = cursors[cursors.length - 1];
    if (cursor) params.cursor = cursor;
    var page = await api('GET', withSubject('/inspector/api/memories', params));
    var list = byId(store + '-list');
    clear(list);
    page.memories.forEach(function (memory) { list.appendChild(memoryItem(memory, store)); });
    if (page.memories.length === 0) list.appendChild(el('li', 'No memories.', 'meta'));
    state.next[store] = page.nextCursor;
    byId(store + '-next').disabled = !page.nextCursor;
    byId(store + '-page').textContent = 'page ' + cursors.length;
  }

  function reasonText(reason) {
    switch (reason.kind) {
      case 'filtered-out': return 'filtered out by ' + reason.clause;
      case 'below-min-relevance': return 'below minRelevance ' + reason.minRelevance + ' by ' + reason.shortBy.toFixed(3);
      case 'over-max-memories': return 'over maxMemories (' + reason.maxMemories + ')';
      case 'over-budget': return 'over the size budget';
      case 'outside-time-window': return 'outside the ' + reason.timeWindowHours + ' h window';
      default: return reason.kind;
    }
  }

  /** A scored candidate; its score is green at or above the threshold, red below it. */
  function scored(memory, score, minRelevance) {
    var item = el('li');
    var below = typeof score === 'number' && score < minRelevance;
    item.appendChild(el('span', typeof score === 'number' ? score.toFixed(3) + ' ' : '', below ? 'score below' : 'score'));
    item.appendChild(el('span', memory.memory, 'memory-text'));
    return item;
  }

  async function explain() {
    var query = byId('query').value;
    if (!query.trim()) return;
    var run = ++state.explainRun;
    var minRelevance = Number(byId('min-relevance').value);
    var result = await api('POST', withSubject('/inspector/api/explain'), {
      query: query,
      minRelevance: minRelevance,
      maxMemories: Number(byId('max-memories').value) || 10
    });
    if (run !== state.explainRun) return; // a later slider position has been asked for
    var injected = byId('injected');
    var excluded = byId('excluded');
    clear(injected);
    clear(excluded);
    result.included.forEach(function (memory) { injected.appendChild(scored(memory, memory.score, minRelevance)); });
    result.excluded.forEach(function (candidate) {
      var item = scored(candidate.memory, candidate.score, minRelevance);
      item.appendChild(el('div', reasonText(candidate.reason), 'reason'));
      excluded.appendChild(item);
    });
    byId('explain-results').hidden = false;
    byId('explain-summary').textContent = result.included.length + ' injected, ' + result.excluded.length +
      ' not, of ' + result.candidatesExamined + ' candidates; answered by ' + result.provider + ' in ' + result.durationMs + ' ms';
  }

  async function loadLatency() {
    var data = await api('GET', '/inspector/api/latency');
    var body = byId('latency').tBodies[0];
    clear(body);
    data.operations.forEach(function (row) {
      var tr = el('tr', null, row.firstCall ? 'first-call' : '');
      [row.provider, row.firstCall ? row.operation + ' (first call, opens the store)' : row.operation, row.calls, row.errors, row.p50Ms + ' ms', row.p95Ms + ' ms', row.p99Ms + ' ms']
        .forEach(function (cell) { tr.appendChild(el('td', cell)); });
      body.appendChild(tr);
    });
  }

  async function loadProfile() {
    var data = await api('GET', withSubject('/inspector/api/profile'));
    byId('profile').value = JSON.stringify(data.profile, null, 2);
  }

  async function saveProfile() {
    var profile;
    try { profile = JSON.parse(byId('profile').value || '{}'); } catch (error) {
      return status('The profile is not valid JSON: ' + error.message, true);
    }
    await api('PUT', withSubject('/inspector/api/profile'), { profile: profile });
    status('Saved the profile of ' + state.subject + '.');
    await refresh();
  }

  async function refresh() {
    byId('viewing').textContent = state.subject;
    var stores = ['long'];
    if (state.me.sessionMemory) stores.push('session');
    await Promise.all(stores.map(loadPage).concat([loadProfile()]));
    await explain();
    await loadLatency();
  }

  async function deleteMemory(store, id) {
    try {
      await api('DELETE', withSubject('/inspector/api/memories/' + encodeURIComponent(id), { store: store }));
      status('Deleted memory ' + id + '.');
      await refresh();
    } catch (error) { status(error.message, true); }
  }

  async function forget() {
    if (!window.confirm('Delete every memory of user "' + state.subject + '"? This cannot be undone.')) return;
    try {
      var result = await api('POST', withSubject('/inspector/api/forget'));
      status('Forgot user ' + state.subject + ': ' + result.deleted + ' memories deleted.');
      state.cursors = { long: [undefined], session: [undefined] };
      await refresh();
    } catch (error) { status(error.message, true); }
  }

  function signOut(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    state.me = null;
    byId('main').hidden = true;
    byId('login').hidden = false;
    byId('sign-out').hidden = true;
    byId('who').textContent = '';
    // Nothing of the last user's search stays in the page for the next one.
    byId('explain-results').hidden = true;
    clear(byId('injected'));
    clear(byId('excluded'));
    byId('explain-summary').textContent = '';
    byId('profile').value = '';
    status(message || '', Boolean(message));
  }

  async function start() {
    if (!token()) return signOut();
    try {
      state.me = await api('GET', '/inspector/api/me');
    } catch (error) {
      if (error.message !== 'unauthorized') status(error.message, true);
      return;
    }
    state.subject = state.me.id;
    byId('login').hidden = true;
    byId('main').hidden = false;
    byId('sign-out').hidden = false;
    byId('lookup').hidden = !state.me.isAdmin;
    byId('session-section').hidden = !state.me.sessionMemory;
    byId('who').textContent = 'Signed in as ' + state.me.id + (state.me.isAdmin ? ' (admin)' : '');
    status('');
    await refresh();
  }

  function guarded(task) {
    return function (event) {
      if (event) event.preventDefault();
      task().catch(function (error) { if (error.message !== 'unauthorized') status(error.message, true); });
    };
  }

  document.addEventListener('DOMContentLoaded', function () {
    byId('login-form').addEventListener('submit', guarded(async function () {
      sessionStorage.setItem(TOKEN_KEY, byId('token').value.trim());
      byId('token').value = '';
      await start();
    }));
    byId('sign-out').addEventListener('click', function () { signOut(); });
    byId('lookup-form').addEventListener('submit', guarded(async function () {
      state.subject = byId('lookup-user').value;
      state.cursors = { long: [undefined], session: [undefined] };
      await refresh();
    }));
    byId('search-form').addEventListener('submit', guarded(explain));
    byId('profile-form').addEventListener('submit', guarded(saveProfile));
    var slider = byId('min-relevance');
    slider.addEventListener('input', guarded(async function () {
      byId('min-relevance-value').textContent = Number(slider.value).toFixed(2);
      await explain();
    }));
    byId('max-memories').addEventListener('change', guarded(explain));
    byId('forget').addEventListener('click', guarded(forget));
    byId('latency-refresh').addEventListener('click', guarded(loadLatency));
    ['long', 'session'].forEach(function (store) {
      byId(store + '-next').addEventListener('click', guarded(async function () {
        state.cursors[store].push(state.next[store]);
        await loadPage(store);
      }));
      byId(store + '-first').addEventListener('click', guarded(async function () {
        state.cursors[store] = [undefined];
        await loadPage(store);
      }));
    });
    guarded(start)();
  });
})();
`;
