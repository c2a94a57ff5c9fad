// Live board: load the tickets over GraphQL, then follow boardEvents over graphql-transport-ws.
// Ticket text only ever reaches the page through textContent, never as markup.
"use strict";

(() => {
  const STATUSES = ["OPEN", "IN_PROGRESS", "WAITING", "RESOLVED", "CLOSED"];
  const PRIORITY = { CRITICAL: "Critical", HIGH: "High", MEDIUM: "Medium", LOW: "Low" };
  const STORE = "haven.credential";
  const TICKET = "id number title status priority updatedAt assignee { name }";
  const BOARD = `query Board($id: ID!, $after: String) { board(id: $id) { name
    tickets(first: 100, after: $after) { edges { node { ${TICKET} } }
      pageInfo { hasNextPage endCursor } } } }`;
  const CURSOR = `query Cursor($id: ID!) { board(id: $id) { eventCursor } }`;
  const EVENTS = `subscription BoardEvents($boardId: ID!, $after: String) {
    boardEvents(boardId: $boardId, after: $after) { cursor seq kind resyncRequired
      ticket { ${TICKET} } } }`;
  const PING_EVERY = 25000;
  const PONG_WITHIN = 10000;
  // API answers that retrying cannot change; anything else (a crash, a proxy) is retried.
  const FINAL = ["FORBIDDEN", "NOT_FOUND", "VALIDATION_ERROR", "GRAPHQL_VALIDATION_FAILED"];

  const $ = (id) => document.getElementById(id);
  const boardId = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop() || "");
  const lists = Object.fromEntries(STATUSES.map((s) => [s, $("col-" + s)]));
  const cards = new Map(); // ticket id -> <li>

  let credential = null;
  let cursor = null; // last event applied; resume point after a disconnect
  let loadGeneration = 0;
  let loaded = false;
  const live = { ws: null, active: null, nextId: 0, retry: 0, timer: 0, ping: 0, pong: 0 };

  // --- page state -------------------------------------------------------------------------

  function setConnection(state, text) {
    const el = $("connection");
    el.dataset.state = state;
    if (el.textContent !== text) el.textContent = text;
  }

  function showError(message) {
    $("error").textContent = message;
    $("error").hidden = !message;
  }

  function askForCredential(message) {
    stopLive();
    credential = null;
    loadGeneration++; // a load still under way must not fill the board again
    loaded = false;
    cards.clear();
    for (const list of Object.values(lists)) list.replaceChildren();
    sessionStorage.removeItem(STORE);
    showError(message || "");
    $("sign-in").hidden = false;
    $("sign-out").hidden = true;
    $("columns").hidden = true;
    setConnection("offline", "Signed out");
    $("credential").focus();
  }

  function start(secret) {
    credential = secret;
    sessionStorage.setItem(STORE, secret);
    showError("");
    $("sign-in").hidden = true;
    $("sign-out").hidden = false;
    $("columns").hidden = false;
    loaded = false;
    cursor = null;
    connect();
  }

  // --- cards ------------------------------------------------------------------------------

  function span(className, text) {
    const el = document.createElement("span");
    el.className = className;
    el.textContent = text;
    return el;
  }

  function fill(li, t) {
    li.dataset.id = t.id;
    li.dataset.number = String(t.number);
    li.dataset.updatedAt = t.updatedAt;
    const title = document.createElement("h3");
    title.append(span("number", "#" + t.number), " ", span("title", t.title));
    const meta = document.createElement("p");
    meta.className = "meta";
    const priority = span("priority", PRIORITY[t.priority] || t.priority);
    priority.dataset.priority = t.priority;
    priority.prepend(span("sr", "Priority: "));
    const assignee = span("assignee", t.assignee ? t.assignee.name : "Unassigned");
    assignee.prepend(span("sr", "Assignee: "));
    meta.append(priority, assignee);
    li.replaceChildren(title, meta);
  }

  function upsert(t) {
    const list = lists[t.status];
    if (!list) return;
    let li = cards.get(t.id);
    // A snapshot older than the card (an event raced the initial load) must not undo it.
    if (li && Date.parse(li.dataset.updatedAt) > Date.parse(t.updatedAt)) return;
    if (!li) {
      li = document.createElement("li");
      li.className = "card";
      cards.set(t.id, li);
    }
    fill(li, t);
    // Newest first, as the board query returns them.
    const before = [...list.children].find((c) => c !== li && Number(c.dataset.number) < t.number);
    if (li.parentElement !== list || li.nextElementSibling !== (before || null)) {
      list.insertBefore(li, before || null);
    }
  }

  function remove(id) {
    const li = cards.get(id);
    if (li) li.remove();
    cards.delete(id);
  }

  function updateCounts() {
    for (const s of STATUSES) $("count-" + s).textContent = String(lists[s].children.length);
  }

  // --- GraphQL over HTTP ------------------------------------------------------------------

  class ApiError extends Error {
    constructor(message, code) {
      super(message);
      this.code = code;
    }
  }

  async function gql(query, variables) {
    // The server tells API keys from JWTs by their prefix, so one header serves both.
    const response = await fetch("/graphql", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: "Bearer " + credential },
      body: JSON.stringify({ query, variables }),
      credentials: "omit",
      cache: "no-store",
    });
    let body;
    try {
      body = await response.json();
    } catch {
      throw new ApiError(`The server answered ${response.status}.`);
    }
    if (body.errors && body.errors.length) {
      const first = body.errors[0];
      throw new ApiError(first.message, first.extensions && first.extensions.code);
    }
    return body.data;
  }

  async function loadBoard() {
    const generation = ++loadGeneration;
    const tickets = [];
    let name = null;
    let after = null;
    do {
      const data = await gql(BOARD, { id: boardId, after });
      if (!data.board) throw new ApiError("No such board for this key.", "NOT_FOUND");
      name = data.board.name;
      for (const edge of data.board.tickets.edges) tickets.push(edge.node);
      const page = data.board.tickets.pageInfo;
      after = page.hasNextPage ? page.endCursor : null;
    } while (after);
    if (generation !== loadGeneration) return; // a newer load replaced this one
    $("board-name").textContent = name;
    document.title = name + " · Haven";
    for (const list of Object.values(lists)) list.replaceChildren();
    cards.clear();
    tickets.forEach(upsert);
    updateCounts();
    loaded = true;
  }

  function failed(error) {
    if (error.code === "UNAUTHENTICATED") return askForCredential(error.message);
    if (!FINAL.includes(error.code)) {
      // Reconnecting (with backoff) reloads the board or resumes the events.
      showError("Trouble reaching the server: " + error.message);
      if (live.ws) drop();
      return;
    }
    // The API said no (another tenant's board, no permission): retrying would not help.
    stopLive();
    setConnection("offline", "Not connected");
    showError(error.message);
  }

  // Note where the event stream stands, load, then subscribe from that point: whatever was
  // committed during the load is replayed and applied over it (older snapshots never win).
  async function refresh() {
    cursor = null;
    const generation = loadGeneration + 1;
    let start;
    try {
      const data = await gql(CURSOR, { id: boardId });
      if (!data.board) throw new ApiError("No such board for this key.", "NOT_FOUND");
      start = data.board.eventCursor;
      await loadBoard();
    } catch (error) {
      return failed(error);
    }
    if (generation !== loadGeneration) return; // a newer refresh (or sign-out) took over
    cursor = start;
    subscribe();
    live.retry = 0; // only now: a socket that connects but cannot load must keep backing off
    showError("");
  }

  function apply(event) {
    if (event.resyncRequired) {
      // Events were skipped: the board as shown may be wrong; start over.
      refresh();
      return;
    }
    cursor = event.cursor;
    if (!event.ticket) return;
    if (event.kind === "TICKET_DELETED") remove(event.ticket.id);
    else upsert(event.ticket);
    updateCounts();
  }

  // --- graphql-transport-ws ---------------------------------------------------------------

  function send(message) {
    if (live.ws && live.ws.readyState === WebSocket.OPEN) live.ws.send(JSON.stringify(message));
  }

  function connect() {
    clearTimeout(live.timer);
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const ws = new WebSocket(scheme + location.host + "/graphql", "graphql-transport-ws");
    live.ws = ws;
    live.active = null;
    setConnection("connecting", live.retry ? "Reconnecting…" : "Connecting…");
    ws.onopen = () =>
      send({ type: "connection_init", payload: { authorization: "Bearer " + credential } });
    ws.onmessage = (message) => ws === live.ws && receive(JSON.parse(message.data));
    ws.onclose = (event) => ws === live.ws && closed(event.code);
  }

  function receive(message) {
    switch (message.type) {
      case "connection_ack":
        keepAlive();
        setConnection("live", "Live");
        if (cursor) {
          live.retry = 0;
          showError("");
          subscribe(); // resume after the last event seen
        } else refresh();
        break;
      case "ping":
        send({ type: "pong" });
        break;
      case "pong":
        clearTimeout(live.pong);
        break;
      case "next":
        if (message.id !== live.active) return;
        if (message.payload.errors) {
          live.active = null;
          return failed(new ApiError(message.payload.errors[0].message,
            (message.payload.errors[0].extensions || {}).code));
        }
        apply(message.payload.data.boardEvents);
        break;
      case "error":
        if (message.id !== live.active) return;
        live.active = null;
        failed(new ApiError(message.payload[0].message, (message.payload[0].extensions || {}).code));
        break;
      case "complete":
        // The server ended the stream without a resync: pick it up again where it stopped.
        if (message.id === live.active) {
          live.active = null;
          live.timer = setTimeout(() => (cursor ? subscribe() : refresh()), 1000);
        }
        break;
    }
  }

  function subscribe() {
    if (live.active) send({ id: live.active, type: "complete" });
    live.active = String(++live.nextId);
    send({
      id: live.active,
      type: "subscribe",
      payload: { query: EVENTS, variables: { boardId, after: cursor } },
    });
  }

  // Our own pings notice a dead connection long before TCP would.
  function keepAlive() {
    clearInterval(live.ping);
    live.ping = setInterval(() => {
      send({ type: "ping" });
      clearTimeout(live.pong);
      live.pong = setTimeout(() => drop(), PONG_WITHIN);
    }, PING_EVERY);
  }

  function drop() {
    if (live.ws) live.ws.close();
    closed(1006);
  }

  function closed(code) {
    clearInterval(live.ping);
    clearTimeout(live.pong);
    live.ws = null;
    live.active = null;
    if (code === 4401 || code === 4403) return askForCredential("The key or token was refused.");
    if (!loaded && credential) loadBoard().catch(failed); // show the board even without a socket
    const delay = Math.min(30000, 1000 * 2 ** live.retry) * (0.5 + Math.random() / 2);
    live.retry += 1;
    setConnection("reconnecting", `Reconnecting in ${Math.ceil(delay / 1000)} s…`);
    live.timer = setTimeout(connect, delay);
  }

  function stopLive() {
    clearTimeout(live.timer);
    clearInterval(live.ping);
    clearTimeout(live.pong);
    const ws = live.ws;
    live.ws = null;
    live.active = null;
    if (ws) ws.close(1000);
  }

  // --- wiring -----------------------------------------------------------------------------

  $("sign-in").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = $("credential").value.trim();
    $("credential").value = "";
    if (value) start(value);
  });
  $("sign-out").addEventListener("click", () => askForCredential(""));
  window.addEventListener("online", () => {
    if (credential && !live.ws) connect();
  });

  // A key in the fragment (#key=...) never reaches the server; drop it from the address bar.
  const fromFragment = new URLSearchParams(location.hash.slice(1)).get("key");
  if (fromFragment) history.replaceState(null, "", location.pathname + location.search);
  const saved = fromFragment || sessionStorage.getItem(STORE);
  if (saved) start(saved);
  else askForCredential("");
})();
