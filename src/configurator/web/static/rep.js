// The sales-rep page: plain JavaScript over the configurator HTTP API (docs/api.md, docs/web.md).
"use strict";

(function () {
  const body = document.body;
  const API = body.dataset.api || "/";
  const LANG = body.dataset.lang || "en";
  const CSRF = body.dataset.csrf || "";
  const T = JSON.parse(document.getElementById("strings").textContent);
  const $ = (id) => document.getElementById(id);

  const state = {
    customer: null, // GET /customers/{id}
    catalog: null, // GET /catalogs/{id}
    session: null, // the latest session state
    removed: {}, // module.option -> why it is unavailable (GET /sessions/{id}?explain=1, arrives after the click)
    overview: null, // GET /customers/{id}/overview, when served
    hit: null, // the customer the search picked
  };
  const LOCALE = { en: "en-GB", pt: "pt-PT", es: "es-ES", sv: "sv-SE" }[LANG] || "en";
  window.repTimings = []; // click -> updated domains, and click -> reasons shown (ms), for the latency benchmark

  // -- helpers -----------------------------------------------------------------------------------------------

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function money(amount) {
    const currency = (state.catalog && state.catalog.currency) || "EUR";
    try {
      return new Intl.NumberFormat(LOCALE, { style: "currency", currency }).format(Number(amount));
    } catch (e) {
      return `${amount} ${currency}`;
    }
  }

  async function call(method, path, payload) {
    // Accept-Language: the API answers its errors' titles in the page's language
    const init = { method, headers: { Accept: "application/json", "Accept-Language": LANG, "X-CSRF-Token": CSRF } };
    if (payload !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(payload);
    }
    const response = await fetch(API + path, init);
    if (response.status === 401) {  // signed out or expired: sign in again, then come back here
      window.location.assign("/rep/sign-in?next=" + encodeURIComponent(location.pathname + location.search));
    }
    const data = response.status === 204 ? null : await response.json();
    if (!response.ok) {
      // in English the detail says most; in another language the title is in that language (the detail is not)
      const said = data && (LANG === "en" ? data.detail || data.title : data.title || data.detail);
      const error = new Error(said || `HTTP ${response.status}`);
      error.problem = data;
      throw error;
    }
    return data;
  }

  function showError(error, near) {
    const box = near || $("error");
    box.textContent = `${T.error}: ${error.message}`;
    box.title = (error.problem && error.problem.detail) || "";
    box.hidden = false;
    if (!near) box.scrollIntoView({ block: "nearest" });
  }

  function date(iso) {
    try {
      return new Intl.DateTimeFormat(LOCALE, { dateStyle: "medium" }).format(new Date(iso));
    } catch (e) {
      return iso;
    }
  }

  // Actions run one after the other (a click during a request waits for it rather than being lost).
  let queue = Promise.resolve();
  let pending = 0;

  function busy(task) {
    pending += 1;
    body.setAttribute("aria-busy", "true");
    $("status").textContent = T.loading;
    queue = queue.then(async () => {
      $("error").hidden = true;
      try {
        await task();
      } catch (error) {
        showError(error);
      } finally {
        pending -= 1;
        if (!pending) {
          body.removeAttribute("aria-busy");
          $("status").textContent = "";
        }
      }
    });
    return queue;
  }

  function optionLabel(moduleId, optionId) {
    const module = state.catalog.modules.find((m) => m.id === moduleId);
    const option = module && module.options.find((o) => o.id === optionId);
    return option ? option.label : optionId;
  }

  function moduleLabel(moduleId) {
    const module = state.catalog.modules.find((m) => m.id === moduleId);
    return module ? module.label : moduleId;
  }

  function choiceLabel(key) {
    const [moduleId, optionId] = key.split(".");
    return `${moduleLabel(moduleId)}: ${optionLabel(moduleId, optionId)}`;
  }

  // -- opening a customer and catalog --------------------------------------------------------------------------

  async function loadCatalogs() {
    const select = $("catalog");
    const catalogs = await call("GET", `catalogs?locale=${LANG}`);
    select.replaceChildren(...catalogs.map((c) => el("option", { value: c.id, text: `${c.name} (${c.id})` })));
    if (select.dataset.initial) select.value = select.dataset.initial;
  }

  // -- finding a customer: a combobox over GET /customers?q= -----------------------------------------------------

  let searchSeq = 0;
  let active = -1;

  function hits() {
    return [...$("hits").querySelectorAll("[role=option]")];
  }

  function closeHits() {
    $("hits").hidden = true;
    $("customer").setAttribute("aria-expanded", "false");
    $("customer").removeAttribute("aria-activedescendant");
    active = -1;
  }

  function activate(index) {
    const items = hits();
    if (!items.length) return;
    active = (index + items.length) % items.length;
    items.forEach((item, i) => item.setAttribute("aria-selected", i === active ? "true" : "false"));
    $("customer").setAttribute("aria-activedescendant", items[active].id);
    items[active].scrollIntoView({ block: "nearest" });
  }

  function pick(hit) {
    state.hit = hit;
    $("customer").value = hit.display_name || hit.customer_id;
    closeHits();
    busy(open);
  }

  async function search() {
    const q = $("customer").value.trim();
    state.hit = null;
    const seq = ++searchSeq;
    if (q.length < 2) {
      closeHits();
      return;
    }
    let found = [];
    try {
      found = await call("GET", `customers?q=${encodeURIComponent(q)}&limit=8`);
    } catch (error) {
      return;
    }
    if (seq !== searchSeq) return; // a later keystroke asked again
    const list = $("hits");
    list.replaceChildren(
      ...found.map((hit, i) =>
        el(
          "li",
          { role: "option", id: `hit-${i}`, "aria-selected": "false", "data-customer": hit.customer_id, onmousedown: (e) => e.preventDefault(), onclick: () => pick(hit) },
          el("span", { class: "hit-name", text: hit.display_name || hit.customer_id }),
          el("span", { class: "hit-match", text: `${T["matched_" + hit.matched.kind] || hit.matched.kind}: ${hit.matched.value}` }),
        ),
      ),
    );
    list.hidden = !found.length;
    $("customer").setAttribute("aria-expanded", found.length ? "true" : "false");
    $("search-status").textContent = found.length ? fill(T.hits, { n: found.length }) : T.no_hits;
    active = -1;
    list._hits = found;
  }

  let searchTimer = null;
  $("customer").addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(search, 150);
  });
  $("customer").addEventListener("keydown", (event) => {
    const open = !$("hits").hidden;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (open) activate(active + 1);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      if (open) activate(active - 1);
    } else if (event.key === "Enter" && open && active >= 0) {
      event.preventDefault();
      pick($("hits")._hits[active]);
    } else if (event.key === "Escape") {
      closeHits();
    }
  });
  $("customer").addEventListener("blur", () => setTimeout(closeHits, 100));

  // -- opening a customer and catalog --------------------------------------------------------------------------

  async function loadCatalogs() {
    const select = $("catalog");
    const catalogs = await call("GET", `catalogs?locale=${LANG}`);
    select.replaceChildren(...catalogs.map((c) => el("option", { value: c.id, text: `${c.name} (${c.id})` })));
    if (select.dataset.initial) select.value = select.dataset.initial;
  }

  async function loadCustomer(customerId) {
    const customer = await call("GET", `customers/${encodeURIComponent(customerId)}`);
    state.overview = null;
    try {
      state.overview = await call("GET", `customers/${encodeURIComponent(customer.customer_id)}/overview?locale=${LANG}`);
    } catch (error) {
      state.overview = null; // not served yet (404/405): the card shows GET /customers/{id}
    }
    return customer;
  }

  function remember() {
    const url = new URL(window.location.href);
    url.searchParams.set("customer", state.customer.customer_id);
    url.searchParams.set("catalog", state.catalog.id);
    url.searchParams.set("session", state.session.session_id);
    window.history.replaceState(null, "", url);
  }

  // A returning customer's session starts from their last configuration: say so, with what was left out.
  function renderStarted() {
    const start = state.session.started_from;
    const chosen = state.session.choices.some((c) => c.selected);
    $("started").hidden = !start || !chosen;
    if (!start) return;
    const text = start.kind === "purchased" ? T.started_purchased : T.started_configured;
    $("started-text").textContent = fill(text, { date: date(start.at), n: start.saved });
    $("started-changes").replaceChildren(
      ...start.changes.map((c) => el("li", { text: fill(c.reason === "withdrawn" ? T.started_withdrawn : T.started_conflict, { what: c.label }) })),
    );
  }

  async function show() {
    renderSummary();
    renderStarted();
    renderModules();
    $("budget").value = (state.session.draft && state.session.draft.budget) || "";
    $("bundles").replaceChildren();
    $("quote-result").replaceChildren();
    $("quote-editor").hidden = true;
    state.quote = null;
    $("workspace").hidden = false;
    $("jump").hidden = false;
    $("jump-customer").textContent = state.customer.name || state.customer.customer_id;
    remember();
    loadReasons();
    price();
  }

  async function open() {
    const typed = $("customer").value.trim();
    const catalogId = $("catalog").value;
    if (!typed || !catalogId) return;
    const customerId = state.hit ? state.hit.customer_id : typed;
    if (state.session) {
      call("DELETE", `sessions/${encodeURIComponent(state.session.session_id)}`).catch(() => {});
    }
    state.session = null;
    const [customer, catalog] = await Promise.all([
      loadCustomer(customerId),
      call("GET", `catalogs/${encodeURIComponent(catalogId)}?locale=${LANG}`),
    ]);
    state.customer = customer;
    state.catalog = catalog;
    state.session = await call("POST", "sessions", { catalog: catalog.id, customer_id: customer.customer_id });
    state.removed = {};
    await show();
  }

  // Reload and a language switch come back to the same session: its choices and draft (budget) are stored.
  async function restore(sessionId) {
    let session;
    try {
      session = await call("GET", `sessions/${encodeURIComponent(sessionId)}?locale=${LANG}`);
    } catch (error) {
      return false; // expired or closed: open a new one
    }
    const [customer, catalog] = await Promise.all([
      session.customer_id ? loadCustomer(session.customer_id) : null,
      call("GET", `catalogs/${encodeURIComponent(session.catalog)}?locale=${LANG}`),
    ]);
    if (!customer) return false;
    state.customer = customer;
    state.catalog = catalog;
    state.session = session;
    state.removed = {};
    $("customer").value = customer.name || customer.customer_id;
    $("catalog").value = catalog.id;
    await show();
    return true;
  }

  // Reasons arrive after the click's answer: the options are usable at once, their reasons fill in later.
  // Reasons are asked for once the rep pauses (REASONS_DELAY ms after the last click): a burst of clicks
  // costs the server one explanation, not one per click, and never delays the next click's answer.
  const REASONS_DELAY = 150;
  let reasonSeq = 0;
  let reasonTimer = null;
  window.repReasonsPending = false; // true from a click until its reasons are shown (or not needed)

  function scheduleReasons(started) {
    clearTimeout(reasonTimer);
    ++reasonSeq; // an answer still on its way for an earlier click is now stale
    window.repReasonsPending = true;
    reasonTimer = setTimeout(() => loadReasons(started), REASONS_DELAY);
  }

  // Guided selling: the few choices worth asking the customer first (GET /sessions/{id}/questions), each a link
  // to its module; asked for with the reasons, once the rep pauses.
  async function loadQuestions() {
    const sid = state.session.session_id;
    let answer = null;
    try {
      answer = state.session.customer_id ? await call("GET", `sessions/${encodeURIComponent(sid)}/questions?locale=${LANG}`) : null;
    } catch (error) {
      answer = null;
    }
    if (!state.session || state.session.session_id !== sid) return;
    const questions = (answer && answer.questions) || [];
    $("ask").hidden = !questions.length;
    $("ask-list").replaceChildren(
      ...questions.map((q) => {
        const top = q.answers[0];
        const text = q.option ? fill(T.ask_whether, { option: q.option_label }) : `${q.module_label}?`;
        const likely = top ? fill(T.ask_likely, { answer: top.label, pct: Math.round(top.probability * 100) }) : "";
        return el(
          "li",
          {},
          el("a", { href: `#${optionId(q.module, (q.option || (q.answers.find((a) => a.option) || {}).option) || "")}`, "data-module": q.module, onclick: (event) => askAbout(event, q) }, text),
          el("span", { class: "hint", text: ` ${likely}` }),
        );
      }),
    );
  }

  function askAbout(event, q) {
    event.preventDefault();
    const fieldset = document.querySelector(`fieldset[data-module="${q.module}"]`);
    if (!fieldset) return;
    fieldset.scrollIntoView({ block: "center" });
    const target = (q.option && $(optionId(q.module, q.option))) || fieldset.querySelector("button.option");
    if (target) target.focus();
  }

  async function loadReasons(started) {
    loadQuestions();
    const seq = ++reasonSeq;
    const sid = state.session.session_id;
    const done = () => {
      if (seq === reasonSeq) window.repReasonsPending = false;
    };
    if (!state.session.feasible) return done();
    let answer;
    try {
      answer = await call("GET", `sessions/${encodeURIComponent(sid)}?explain=1&locale=${LANG}`);
    } catch (error) {
      return done();
    }
    if (seq !== reasonSeq) return; // a later click made these stale
    state.removed = answer.removed || {};
    state.alternatives = answer.alternatives || null;
    renderModules();
    renderReasons();
    if (started !== undefined) window.repTimings.push({ kind: "reasons", ms: performance.now() - started });
    done();
  }

  async function choose(action, moduleId, optionId, started) {
    const sid = state.session.session_id;
    state.session = await call("POST", `sessions/${encodeURIComponent(sid)}/choices?locale=${LANG}`, {
      action,
      module: moduleId,
      option: optionId,
    });
  }

  async function afterChange(started, focusKey) {
    state.removed = {};
    state.alternatives = null;
    renderModules(focusKey);
    if (started !== undefined) window.repTimings.push({ kind: "domains", ms: performance.now() - started });
    scheduleReasons(started);
    price();
  }

  // -- running price: what the customer pays, and the budget judged on it ----------------------------------------

  let priceSeq = 0;
  function selections() {
    const out = {};
    for (const c of state.session.choices) {
      if (!c.selected) continue;
      (out[c.module] = out[c.module] || {})[c.option] = c.qty || 1;
    }
    return out;
  }

  async function price() {
    const seq = ++priceSeq;
    const body = { catalog: state.catalog.id, selections: selections(), budget: budget(), locale: LANG };
    let answer = null;
    try {
      answer = await call("POST", `customers/${encodeURIComponent(state.customer.customer_id)}/price`, body);
    } catch (error) {
      const status = error.problem && error.problem.status;
      if (status === 404 || status === 405 || error.message === "Not Found" || error.message === "Method Not Allowed") {
        try {
          const listed = await call("POST", `catalogs/${encodeURIComponent(state.catalog.id)}/price`, {
            selections: body.selections,
            country: state.customer.country || "PT",
            customer_id: state.customer.customer_id,
          });
          answer = { total: listed.total, total_text: money(listed.total), budget: null };
          const limit = budget();
          if (limit !== null) {
            const gap = Number(listed.total) - Number(limit);
            answer.budget = gap > 0 ? { verdict: "over", gap_text: money(gap) } : { verdict: "fit" };
          }
        } catch (inner) {
          answer = null;
        }
      }
    }
    if (seq !== priceSeq) return;
    $("price").textContent = answer ? answer.total_text || money(answer.total) : T.price_incomplete;
    $("jump-total").textContent = `${T.total}: ${answer ? answer.total_text || money(answer.total) : "—"}`;
    const verdict = answer && answer.budget;
    $("verdict").textContent = verdict ? (verdict.verdict === "fit" ? T.fits : fill(T.over, { gap: verdict.gap_text })) : "";
    $("verdict").className = "verdict " + (verdict ? `is-${verdict.verdict}` : "");
  }

  // -- rendering -----------------------------------------------------------------------------------------------

  function renderSummary() {
    const c = state.customer;
    const o = state.overview;
    const rows = [
      [T.name, (o && o.display_name) || c.name || c.customer_id],
      [T.company, (o && o.company) || c.company],
      [T.country, (o && o.country) || c.country],
    ];
    if (o) {
      rows.push([T.preferred_language, o.language]);
      rows.push([T.contact, [...o.contact.emails, ...o.contact.phones, o.contact.address].filter(Boolean).join(" · ")]);
      rows.push([T.tier, el("span", { class: `tier tier-${o.tier.code}`, text: o.tier.label })]);
      rows.push([T.tier_reason, o.tier.explanation]);
    } else {
      const history = Object.entries(c.events_by_type || {}).map(([type, count]) => `${type} ${count}`).join(", ");
      rows.push([T.tier, el("span", { class: `tier tier-${c.tier}`, text: c.tier })]);
      rows.push([T.tier_reason, c.tier_reason]);
      rows.push([T.history, history]);
    }
    $("summary-list").replaceChildren(
      ...rows.filter(([, value]) => value).flatMap(([term, value]) => [el("dt", { text: term }), el("dd", {}, value)]),
    );
    const more = [];
    if (o) {
      const section = (title, items) =>
        items.length ? el("details", {}, el("summary", { text: `${title} (${items.length})` }), el("ul", { class: "items" }, items)) : null;
      more.push(
        el("details", {}, el("summary", { text: T.numbers }), el("dl", {}, Object.entries(o.tier.numbers || {}).flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: String(v) })]))),
        section(T.needs, o.needs.map((n) => el("li", {}, `${n.label} — ${Math.round(n.strength * 100)} %`, n.because.length ? el("span", { class: "muted", text: ` (${n.because.map((b) => `${date(b.at)}: ${b.text}`).join("; ")})` }) : null))),
        section(T.timeline, o.timeline.map((e) => el("li", {}, el("time", { datetime: e.at, text: date(e.at) }), ` ${e.channel_label || e.channel}: ${e.text}`))),
        section(T.quotes, o.quotes.map((q) => el("li", {}, `${q.quote_id} · ${q.status_label || q.status} · ${q.total_text} · ${date(q.updated_at)}`))),
        section(T.orders, o.orders.map((r) => el("li", {}, `${date(r.at)} · ${r.items.join(", ")} · ${r.total_text}`))),
        section(T.installed, o.installed.map((i) => el("li", {}, `${i.label}${i.since ? ` · ${date(i.since)}` : ""}`))),
      );
    }
    $("summary-more").replaceChildren(...more.filter(Boolean));
  }

  function chooseHint(module) {
    if (module.min === 1 && module.max === 1) return T.choose_one;
    if (module.max === null) return module.min === 0 ? T.choose_any : fill(T.choose_range, { min: module.min, max: "∞" });
    return fill(T.choose_range, { min: module.min, max: module.max });
  }

  // The favourite is marked only when it is clearly one: likelier than a uniform pick and than the runner-up.
  function recommendedOption(moduleId) {
    const ranked = (state.session.recommendations || {})[moduleId] || [];
    if (!ranked.length) return null;
    const [top, next] = ranked;
    if (top.probability <= 1 / ranked.length) return null;
    if (next && next.probability >= top.probability) return null;
    return top.option;
  }

  function reasonText(conflict) {
    const messages = Object.values(conflict.messages || {});
    const causes = conflict.choices.map((k) => (conflict.labels && conflict.labels[k]) || choiceLabel(k)).join(", ");
    const text = messages.length ? messages.join(" ") : T.unavailable;
    return causes ? `${text} (${T.because_of} ${causes})` : text;
  }

  // Ruled out only by this module's own choice (a single-choice module): clicking switches, it is not greyed.
  function onlyOwnChoice(module, conflict) {
    return (
      conflict.constraints.every((c) => c === `module:${module.id}:choose`) &&
      conflict.choices.every((c) => c.startsWith(`${module.id}.`))
    );
  }

  const optionId = (m, o) => `opt-${m}-${o}`;
  const reasonId = (m, o) => `reason-${m}-${o}`;

  function buildModules() {
    const fieldsets = state.catalog.modules.map((module) => {
      const cells = module.options.map((option) =>
        el(
          "div",
          { class: "option-cell" },
          el(
            "button",
            {
              type: "button",
              class: "option",
              id: optionId(module.id, option.id),
              "data-option": option.id,
              "aria-pressed": "false",
              onclick: (event) => clickOption(module, option, event.currentTarget),
            },
            el("span", { class: "option-label", text: option.label }),
            el("span", { class: "option-price", text: Number(option.price) ? money(option.price) : "" }),
            el("span", { class: "badge", hidden: true, text: `★ ${T.recommended}` }),
            el("span", { class: "visually-hidden state", text: "" }),
          ),
          el("span", { class: "reason", id: reasonId(module.id, option.id), hidden: true }),
        ),
      );
      return el(
        "fieldset",
        { class: "module", "data-module": module.id },
        el("legend", { text: module.label }),
        el("span", { class: "hint", text: chooseHint(module) }),
        el("div", { class: "options" }, cells),
        el("div", { class: "note", id: `why-${module.id}`, role: "alert", hidden: true }),
      );
    });
    $("modules").replaceChildren(...fieldsets);
    $("modules").dataset.catalog = state.catalog.id;
  }

  // Updates the options in place (no re-render), so the focused control keeps the focus.
  function renderModules() {
    if ($("modules").dataset.catalog !== state.catalog.id) buildModules();
    const session = state.session;
    const selected = new Set(session.choices.filter((c) => c.selected).map((c) => `${c.module}.${c.option}`));
    for (const module of state.catalog.modules) {
      const domain = new Set(session.domains[module.id] || []);
      const recommended = session.feasible ? recommendedOption(module.id) : null;
      const decided = module.max === 1 && [...selected].some((k) => k.startsWith(`${module.id}.`));
      for (const option of module.options) {
        const key = `${module.id}.${option.id}`;
        const button = $(optionId(module.id, option.id));
        const isSelected = selected.has(key);
        // another option of a decided one-option module replaces the choice: available when the explain answer
        // says it fits the other choices (until it comes, the rep may still try it)
        const known = state.alternatives && state.alternatives[module.id];
        const switchable = decided && (!known || known.includes(option.id));
        const available = !session.feasible || isSelected || domain.has(option.id) || switchable;
        button.setAttribute("aria-pressed", isSelected ? "true" : "false");
        button.classList.toggle("is-selected", isSelected);
        button.classList.toggle("is-unavailable", !available);
        button.classList.toggle("is-recommended", option.id === recommended);
        button.querySelector(".badge").hidden = option.id !== recommended;
        button.querySelector(".state").textContent = available ? "" : ` (${T.unavailable})`;
        const reason = $(reasonId(module.id, option.id));
        reason.hidden = true;
        reason.textContent = "";
        button.removeAttribute("aria-describedby");
        button.removeAttribute("title");
        button.dataset.available = available ? "yes" : "no";
      }
      const note = $(`why-${module.id}`);
      if (!note.dataset.conflict) {
        note.hidden = true;
        note.replaceChildren();
      }
    }
    renderConflict();
  }

  // Each unavailable option's reason, beside it (aria-describedby), once GET ?explain=1 answers.
  function renderReasons() {
    for (const module of state.catalog.modules) {
      for (const option of module.options) {
        const key = `${module.id}.${option.id}`;
        const conflict = state.removed[key];
        const button = $(optionId(module.id, option.id));
        if (!conflict || button.getAttribute("aria-pressed") === "true") continue;
        if (onlyOwnChoice(module, conflict)) {
          button.classList.remove("is-unavailable");
          continue;
        }
        const reason = $(reasonId(module.id, option.id));
        reason.textContent = reasonText(conflict);
        reason.hidden = false;
        button.classList.add("is-unavailable");
        button.querySelector(".state").textContent = ` (${T.unavailable})`;
        button.setAttribute("aria-describedby", reason.id);
        button.dataset.available = "no";
      }
    }
  }

  let conflictModule = null;
  function renderConflict() {
    for (const note of document.querySelectorAll(".note[data-conflict]")) {
      delete note.dataset.conflict;
      note.hidden = true;
      note.replaceChildren();
    }
    const session = state.session;
    if (session.feasible || !session.conflict) return;
    const moduleId = conflictModule || session.choices[session.choices.length - 1].module;
    const note = $(`why-${moduleId}`);
    note.dataset.conflict = "1";
    note.hidden = false;
    note.replaceChildren(
      el("p", { class: "conflict-title", text: `${T.conflict}: ${reasonText(session.conflict)}` }),
      el("p", { class: "conflict-title", text: T.repairs }),
      el(
        "div",
        { class: "buttons" },
        session.repairs.map((r) =>
          el("button", { type: "button", class: "repair-button", "data-repair": r.index, onclick: () => applyRepair(r.index) }, fill(T.apply_repair, { what: r.labels.join(", ") })),
        ),
      ),
    );
  }

  function clickOption(module, option, button) {
    const started = performance.now();
    const key = `${module.id}.${option.id}`;
    busy(async () => {
      const isSelected = button.getAttribute("aria-pressed") === "true";
      const note = $(`why-${module.id}`);
      try {
        await choose(isSelected ? "unset" : "select", module.id, option.id);
      } catch (error) {
        delete note.dataset.conflict;
        note.hidden = false;
        note.textContent = `${T.error}: ${error.message}`;
        return;
      }
      conflictModule = module.id;
      await afterChange(started, key);
    });
  }

  function applyRepair(index) {
    const started = performance.now();
    const focusKey = `${conflictModule}`;
    busy(async () => {
      const sid = state.session.session_id;
      state.session = await call("POST", `sessions/${encodeURIComponent(sid)}/repair?locale=${LANG}`, { index });
      await afterChange(started);
      // the repair buttons are gone: the focus goes back to the module's chosen option (else its first)
      const fieldset = document.querySelector(`fieldset[data-module="${focusKey}"]`);
      const target = fieldset && (fieldset.querySelector("button[aria-pressed=true]") || fieldset.querySelector("button.option"));
      if (target) target.focus();
    });
  }

  // -- bundles and quotes ----------------------------------------------------------------------------------

  function requirements() {
    return state.session.choices.map((c) => (c.selected ? "" : "!") + `${c.module}.${c.option}`);
  }

  function budget() {
    const value = $("budget").value.trim();
    return value ? value : null;
  }

  // `required`: what the bundles were assembled to meet (the session's choices then); their quotes keep it.
  function renderBundles(answer, required) {
    const list = $("bundles");
    if (!answer.bundles.length) {
      list.replaceChildren(el("li", { class: "empty", text: T.no_bundles }));
      return;
    }
    list.replaceChildren(
      ...answer.bundles.map((b) => {
        const items = b.configuration.items.map((item) =>
          el("li", {}, `${moduleLabel(item.module)}: ${item.label}`, el("span", { class: "price", text: money(item.price) })),
        );
        const reasons = b.reasons.map((r) =>
          el(
            "li",
            {},
            `${optionLabel(r.module, r.option)} — ${r.text || r.label || r.because}`,
            r.events.length
              ? el("span", { class: "events", title: r.events.join(", "), text: ` (${fill(T.events, { n: r.events.length })})` })
              : null,
          ),
        );
        const services = b.services.map((s) =>
          el("li", {}, s.label, el("span", { class: "price", text: s.included ? T.included : money(s.price) })),
        );
        const repair = b.repair
          ? el(
              "p",
              { class: "repair" },
              `${T.repair}: `,
              [...b.repair.drop.map((d) => `− ${choiceLabel(d.replace(/^!/, ""))}`)].join(", "),
              b.repair.raise_budget_to ? ` ${T.budget} → ${money(b.repair.raise_budget_to)}` : "",
            )
          : null;
        return el(
          "li",
          { class: "bundle" },
          el(
            "article",
            { "aria-label": `${T.bundle} ${b.rank}` },
            el("h3", {}, `${T.bundle} ${b.rank}`, el("span", { class: "role", text: b.role_label || b.role }), el("span", { class: "total", text: b.total_text || money(b.price) })),
            el("details", { open: b.rank === 1 }, el("summary", { text: T.contents }), el("ul", { class: "items" }, items)),
            reasons.length ? el("h4", { text: T.reasons }) : null,
            reasons.length ? el("ul", { class: "reasons" }, reasons) : null,
            services.length ? el("h4", { text: T.services }) : null,
            services.length ? el("ul", { class: "items" }, services) : null,
            repair,
            CAN.has("quote")
              ? el("p", { class: "buttons" }, el("button", { type: "button", class: "quote-bundle", "data-rank": b.rank, onclick: () => busy(() => quoteBundle(b, required)) }, T.quote_bundle))
              : null,
          ),
        );
      }),
    );
  }

  async function propose() {
    const required = requirements();
    const limit = budget();
    const answer = await call("POST", `customers/${encodeURIComponent(state.customer.customer_id)}/bundles`, {
      catalog: state.catalog.id,
      budget: limit,
      requirements: required,
      locale: LANG,
    });
    state.proposedUnder = limit;
    renderBundles(answer, required);
  }

  // -- the quote editor: quote a bundle or the configuration, edit it into versions, send, approve, accept ------

  const CAN = new Set((body.dataset.can || "").split(" ").filter(Boolean));
  state.quote = null; // the quote version on screen (GET /quotes/{id}?format=json&locale=)

  const quotePath = (id) => `quotes/${encodeURIComponent(id)}`;

  async function quote() {
    // exactly as configured when the configuration is complete; else the best bundle that keeps the choices
    const payload = configured()
      ? { session_id: state.session.session_id, budget: budget() }
      : { catalog: state.catalog.id, budget: budget(), requirements: requirements() };
    const made = await call("POST", `customers/${encodeURIComponent(state.customer.customer_id)}/quotes`, payload);
    await showQuote(made.quote_id, fill(T.version_saved, { version: made.version }));
  }

  // Every module has as many options as it needs, and they go together: the configuration can be quoted as is.
  function configured() {
    if (!state.session.feasible) return false;
    const chosen = selections();
    return state.catalog.modules.every((m) => Object.keys(chosen[m.id] || {}).length >= m.min);
  }

  // The quote keeps what the customer required of the bundle and the budget it was assembled under, so that the
  // order tells their free choices from the ones the requirements forced (a second choice teaches less about
  // their taste) and an option left out for its price from one they did not want.
  async function quoteBundle(bundle, required) {
    const made = await call("POST", `customers/${encodeURIComponent(state.customer.customer_id)}/quotes`, {
      catalog: state.catalog.id,
      selections: bundle.configuration.selections,
      requirements: required || [],
      budget: state.proposedUnder || null,
    });
    await showQuote(made.quote_id, fill(T.version_saved, { version: made.version }));
  }

  async function showQuote(quoteId, message) {
    const [detail, versions] = await Promise.all([
      call("GET", `${quotePath(quoteId)}?format=json&locale=${LANG}`),
      call("GET", `${quotePath(quoteId)}/versions?locale=${LANG}`),
    ]);
    const diff = detail.version > 1 ? await call("GET", `${quotePath(quoteId)}/diff?locale=${LANG}`) : null;
    state.quote = detail;
    renderQuote(detail, versions, diff);
    $("quote-state").textContent = message || "";
    $("quote-editor").hidden = false;
    $("quote-result").replaceChildren();
    $("quote-heading").focus();
    $("quote-heading").scrollIntoView({ block: "start" });
  }

  function statusText(code) {
    return T[`status_${code}`] || code.replace(/_/g, " ");
  }

  function renderQuote(q, versions, diff) {
    $("quote-heading").textContent = fill(T.quote_heading, { id: q.quote_id, version: q.version });
    $("quote-heading").dataset.version = q.version;
    const open = q.status === "draft" || q.status === "pending_approval";
    const rows = q.lines.map((line) => {
      const editable = open && !line.path;
      const qty =
        editable && line.qty_max > line.qty_min
          ? el("input", { type: "number", class: "qty", min: line.qty_min, max: line.qty_max, step: 1, value: line.qty, "data-line": line.line, "aria-label": fill(T.line_qty, { what: line.label }) })
          : el("span", { text: String(line.qty) });
      const discount = editable
        ? el("input", { type: "number", class: "discount", min: 0, max: 100, step: "0.5", value: line.discount_pct === null ? "" : Number(line.discount_pct), placeholder: "0", "data-line": line.line, "aria-label": fill(T.line_discount, { what: line.label }) })
        : el("span", { text: line.discount_pct === null ? "" : `${Number(line.discount_pct)} %` });
      return el(
        "tr",
        { "data-line": line.line },
        el("th", { scope: "row", text: line.path ? `↳ ${line.label}` : line.label }),
        el("td", { class: "num" }, qty),
        el("td", { class: "num", text: line.amount_text }),
        el("td", { class: "num" }, discount),
      );
    });
    const table = el(
      "table",
      { class: "quote-lines" },
      el("caption", { class: "visually-hidden", text: T.quote_lines }),
      el("thead", {}, el("tr", {}, [T.col_item, T.col_qty, T.col_amount, T.col_discount].map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, rows),
    );
    const services = q.services.map((svc) => {
      const id = `svc-${svc.service}`;
      const inQuote = svc.state !== "declined";
      const hint = svc.policy === "opt_out" ? T.service_opt_out : T.service_opt_in;
      const price = svc.policy === "opt_out" ? T.included : money(svc.list_price);
      return el(
        "li",
        { class: "service" },
        el("input", { type: "checkbox", id, "data-service": svc.service, checked: inQuote, disabled: !open, "aria-describedby": `${id}-hint` }),
        el("label", { for: id }, `${svc.label} · ${price}`),
        el("span", { class: "hint", id: `${id}-hint`, text: hint }),
      );
    });
    const quantity = el(
      "div",
      { class: "field inline" },
      el("label", { for: "quote-quantity", text: T.bundles_ordered }),
      el("input", { id: "quote-quantity", type: "number", min: 1, max: 100000, step: 1, value: q.quantity, disabled: !open }),
    );
    const approval = [];
    if (q.discount_limit !== null) approval.push(el("p", { class: "hint", text: fill(T.discount_limit, { pct: Number(q.discount_limit) }) }));
    if (q.needs_approval && !q.approved_at) approval.push(el("p", { class: "warning", text: T.waits_approval }));
    if (q.approved_by) approval.push(el("p", { class: "hint", text: fill(T.approved_by, { who: q.approved_by }) }));
    const link = (format) => API + q.links[format].replace(/^\//, "");
    const waiting = q.needs_approval && !q.approved_at;
    const actions = el(
      "p",
      { class: "buttons" },
      open && CAN.has("quote") ? el("button", { type: "button", id: "quote-save", class: "primary", onclick: () => busy(saveVersion) }, T.save_version) : null,
      el("a", { href: link("html"), target: "_blank", rel: "noopener", class: "link-button", id: "quote-html" }, T.open_html),
      el("a", { href: link("pdf"), download: "", class: "link-button", id: "quote-pdf" }, T.open_pdf),
      waiting && CAN.has("approve") ? el("button", { type: "button", id: "quote-approve", onclick: () => busy(approveQuote) }, T.approve) : null,
      open && !waiting && CAN.has("quote") ? el("button", { type: "button", id: "quote-send", onclick: () => busy(sendQuote) }, T.send) : null,
    );
    const accepting =
      (open || q.status === "sent") && !waiting && CAN.has("accept")
        ? el(
            "div",
            { class: "accept" },
            el("div", { class: "field inline" }, el("label", { for: "quote-margin", text: T.margin }), el("input", { id: "quote-margin", type: "number", min: 0, step: "0.01", inputmode: "decimal", "aria-describedby": "quote-margin-error" })),
            el("p", { id: "quote-margin-error", class: "field-error", role: "alert", hidden: true }),
            el("button", { type: "button", id: "quote-accept", onclick: () => busy(acceptQuote) }, T.accept),
          )
        : null;
    const required = (q.requirements || []).map((r) =>
      r.startsWith("!") ? fill(T.without, { what: choiceLabel(r.slice(1)) }) : choiceLabel(r),
    );
    const history = el(
      "details",
      {},
      el("summary", { text: `${T.versions} (${versions.length})` }),
      el("ol", { class: "items versions" }, versions.map((v) => el("li", {}, `${v.version} · ${statusText(v.status)} · ${v.total_text || ""} · ${date(v.created_at)}`))),
    );
    $("quote-body").replaceChildren(
      el("p", { class: "quote-status" }, el("span", { class: `status status-${q.status}`, id: "quote-status", "data-status": q.status, text: statusText(q.status) })),
      required.length ? el("p", { class: "hint", id: "quote-required", text: fill(T.quote_required, { what: required.join(", ") }) }) : null,
      table,
      quantity,
      services.length ? el("fieldset", { class: "services" }, el("legend", { text: T.services }), el("ul", { class: "items" }, services)) : null,
      approval,
      el("p", { class: "quote-total" }, `${T.total}: `, el("strong", { id: "quote-total", "data-total": q.total, text: q.total_text })),
      actions,
      accepting,
      diff ? renderDiff(diff, q) : null,
      history,
    );
  }

  function renderDiff(d, q) {
    const serviceLabel = (id) => (q.services.find((s) => s.service === id) || { label: id }).label;
    const items = [
      ...d.added.map((c) => fill(T.change_added, { what: c.label })),
      ...d.removed.map((c) => fill(T.change_removed, { what: c.label })),
      ...d.changed.flatMap((c) => {
        const out = [];
        if (c.qty_before !== c.qty_after) out.push(fill(T.change_qty, { what: c.label, before: c.qty_before, after: c.qty_after }));
        if (c.discount_pct_before !== c.discount_pct_after)
          out.push(fill(T.change_discount, { what: c.label, before: Number(c.discount_pct_before || 0), after: Number(c.discount_pct_after || 0) }));
        return out;
      }),
      ...d.services.map((c) => fill(T.change_service, { what: serviceLabel(c.service), before: T["state_" + c.before] || c.before || "—", after: T["state_" + c.after] || c.after || "—" })),
      d.quantity_before !== d.quantity_after ? fill(T.change_quantity, { before: d.quantity_before, after: d.quantity_after }) : null,
      fill(T.change_total, { before: d.total_before_text, after: d.total_after_text }),
    ].filter(Boolean);
    return el(
      "div",
      { class: "diff", id: "quote-diff" },
      el("h4", { text: fill(T.changes, { version: d.from_version }) }),
      el("ul", { class: "items" }, items.map((text) => el("li", { text }))),
    );
  }

  // The edits of the version on screen, as PATCH /quotes/{id} takes them (only what changed is sent).
  function quoteEdits() {
    const q = state.quote;
    const edits = { version: q.version };
    const qty = {};
    for (const input of $("quote-body").querySelectorAll("input.qty")) qty[input.dataset.line] = Number(input.value);
    const changedQty = q.lines.some((line) => line.line in qty && qty[line.line] !== line.qty);
    if (changedQty) {
      const selections = {};
      for (const [moduleId, chosen] of Object.entries(q.configuration.selections)) {
        selections[moduleId] = {};
        for (const [optionId, n] of Object.entries(chosen)) selections[moduleId][optionId] = qty[`${moduleId}.${optionId}`] ?? n;
      }
      edits.selections = selections;
    }
    const quantity = Number($("quote-quantity").value);
    if (quantity !== q.quantity) edits.quantity = quantity;
    const services = {};
    for (const box of $("quote-body").querySelectorAll("input[data-service]")) {
      const before = q.services.find((s) => s.service === box.dataset.service).state !== "declined";
      if (box.checked !== before) services[box.dataset.service] = box.checked;
    }
    if (Object.keys(services).length) edits.services = services;
    const discounts = [];
    for (const input of $("quote-body").querySelectorAll("input.discount")) {
      const pct = input.value.trim() === "" ? 0 : Number(input.value);
      const line = q.lines.find((l) => l.line === input.dataset.line);
      if (pct !== Number(line.discount_pct || 0)) discounts.push({ line: line.line, pct: String(pct) });
    }
    if (discounts.length) edits.discounts = discounts; // lines not named keep their discount
    return Object.keys(edits).length > 1 ? edits : null;
  }

  async function saveVersion() {
    const edits = quoteEdits();
    if (!edits) {
      $("quote-state").textContent = T.nothing_changed;
      return;
    }
    let saved;
    try {
      saved = await call("PATCH", quotePath(state.quote.quote_id), edits);
    } catch (error) {
      showError(error, $("quote-state"));
      return;
    }
    await showQuote(saved.quote_id, fill(T.version_saved, { version: saved.version }));
  }

  async function sendQuote() {
    const q = state.quote;
    const sent = await call("POST", `${quotePath(q.quote_id)}/send`, { version: q.version });
    await showQuote(q.quote_id, fill(T.sent_to, { email: sent.recipient }));
  }

  async function approveQuote() {
    const q = state.quote;
    await call("POST", `${quotePath(q.quote_id)}/approve`, { version: q.version });
    await showQuote(q.quote_id);
  }

  async function acceptQuote() {
    const q = state.quote;
    const margin = $("quote-margin").value.trim();
    if (!margin || !(Number(margin) >= 0)) {
      $("quote-margin").setAttribute("aria-invalid", "true");
      const error = $("quote-margin-error");
      error.textContent = T.margin_needed;
      error.hidden = false;
      $("quote-margin").focus();
      return;
    }
    const done = await call("POST", `${quotePath(q.quote_id)}/accept`, { version: q.version, channel: "sales_rep", margin });
    await showQuote(q.quote_id, fill(T.accepted, { order: done.order_id }));
  }

  // -- wiring --------------------------------------------------------------------------------------------------

  $("lang").addEventListener("change", () => {
    const url = new URL(window.location.href); // keeps ?session=: the new language restores the same work
    url.searchParams.set("lang", $("lang").value);
    window.location.assign(url);
  });
  $("start").addEventListener("submit", (event) => {
    event.preventDefault();
    busy(open);
  });
  $("start-blank").addEventListener("click", () => {
    const started = performance.now();
    busy(async () => {
      const sid = state.session.session_id;
      state.session = await call("POST", `sessions/${encodeURIComponent(sid)}/choices?locale=${LANG}`, { action: "clear" });
      $("started").hidden = true;
      await afterChange(started);
      $("configuration-heading").focus();
    });
  });
  $("clear").addEventListener("click", () => {
    const started = performance.now();
    busy(async () => {
      const sid = state.session.session_id;
      state.session = await call("POST", `sessions/${encodeURIComponent(sid)}/choices?locale=${LANG}`, { action: "clear" });
      await afterChange(started);
    });
  });
  // The budget is kept with the session (PUT /sessions/{id}/draft), so a reload or a language switch keeps it.
  $("budget").addEventListener("change", () =>
    busy(async () => {
      const value = $("budget").value.trim();
      const error = $("budget-error");
      error.hidden = true;
      $("budget").removeAttribute("aria-invalid");
      if (value && !(Number(value) > 0)) {
        $("budget").setAttribute("aria-invalid", "true");
        showError(new Error(T.budget), error);
        return;
      }
      const draft = { ...(state.session.draft || {}), budget: value || null };
      try {
        const saved = await call("PUT", `sessions/${encodeURIComponent(state.session.session_id)}/draft`, draft);
        state.session.draft = saved.draft;
      } catch (e) {
        $("budget").setAttribute("aria-invalid", "true");
        showError(e, error);
        return;
      }
      $("status").textContent = T.saved;
      price();
    }),
  );
  $("propose").addEventListener("click", () => busy(propose));
  $("quote").addEventListener("click", () => busy(quote));

  busy(async () => {
    await loadCatalogs();
    if (body.dataset.session && (await restore(body.dataset.session))) return;
    if ($("customer").value.trim() && $("catalog").dataset.initial) await open();
  });
})();
