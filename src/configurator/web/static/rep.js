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
    session: null, // the latest session state (with removed options)
  };

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
      return new Intl.NumberFormat(LANG, { style: "currency", currency }).format(Number(amount));
    } catch (e) {
      return `${amount} ${currency}`;
    }
  }

  async function call(method, path, payload) {
    const init = { method, headers: { Accept: "application/json", "X-CSRF-Token": CSRF } };
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
      const error = new Error((data && (data.detail || data.title)) || `HTTP ${response.status}`);
      error.problem = data;
      throw error;
    }
    return data;
  }

  function showError(error) {
    $("error").textContent = `${T.error}: ${error.message}`;
    $("error").hidden = false;
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

  async function open() {
    const customerId = $("customer").value.trim();
    const catalogId = $("catalog").value;
    if (!customerId || !catalogId) return;
    if (state.session) {
      call("DELETE", `sessions/${encodeURIComponent(state.session.session_id)}`).catch(() => {});
    }
    state.session = null;
    const [customer, catalog] = await Promise.all([
      call("GET", `customers/${encodeURIComponent(customerId)}`),
      call("GET", `catalogs/${encodeURIComponent(catalogId)}?locale=${LANG}`),
    ]);
    state.customer = customer;
    state.catalog = catalog;
    const opened = await call("POST", "sessions", { catalog: catalog.id, customer_id: customer.customer_id });
    await refresh(opened.session_id);
    renderSummary();
    $("bundles").replaceChildren();
    $("quote-result").replaceChildren();
    $("workspace").hidden = false;
    const url = new URL(window.location.href);
    url.searchParams.set("customer", customer.customer_id);
    url.searchParams.set("catalog", catalog.id);
    window.history.replaceState(null, "", url);
  }

  async function refresh(sessionId) {
    state.session = await call(
      "GET",
      `sessions/${encodeURIComponent(sessionId)}?explain=1&locale=${LANG}`,
    );
    renderModules();
  }

  async function choose(action, moduleId, optionId) {
    const sid = state.session.session_id;
    await call("POST", `sessions/${encodeURIComponent(sid)}/choices?locale=${LANG}`, {
      action,
      module: moduleId,
      option: optionId,
    });
    await refresh(sid);
  }

  // -- rendering -----------------------------------------------------------------------------------------------

  function renderSummary() {
    const c = state.customer;
    const history = Object.entries(c.events_by_type)
      .map(([type, count]) => `${type} ${count}`)
      .join(", ");
    const rows = [
      [T.name, c.name || c.customer_id],
      [T.company, c.company],
      [T.country, c.country],
      [T.tier, el("span", { class: `tier tier-${c.tier}`, text: c.tier })],
      [T.tier_reason, c.tier_reason],
      [T.history, history],
    ];
    $("summary-list").replaceChildren(
      ...rows.filter(([, value]) => value).flatMap(([term, value]) => [el("dt", { text: term }), el("dd", {}, value)]),
    );
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
    const causes = conflict.choices.map(choiceLabel).join(", ");
    const text = messages.length ? messages.join(" ") : T.unavailable;
    return causes ? `${text} (${T.because_of} ${causes})` : text;
  }

  function renderModules() {
    const session = state.session;
    const selected = new Set(session.choices.filter((c) => c.selected).map((c) => `${c.module}.${c.option}`));
    const removed = session.removed || {};
    const container = $("modules");
    const fieldsets = state.catalog.modules.map((module) => {
      const domain = new Set(session.domains[module.id] || []);
      const recommended = recommendedOption(module.id);
      const why = el("p", { class: "why", id: `why-${module.id}`, role: "note", hidden: true });
      const buttons = module.options.map((option) => {
        const key = `${module.id}.${option.id}`;
        const isSelected = selected.has(key);
        const conflict = removed[key];
        // Ruled out only by this module's own choice: clicking switches to it instead of explaining.
        const switchable =
          conflict &&
          conflict.constraints.length === 1 &&
          conflict.constraints[0] === `module:${module.id}:choose` &&
          conflict.choices.every((c) => c.startsWith(`${module.id}.`));
        const available = isSelected || domain.has(option.id) || switchable;
        const reason = !available && conflict ? reasonText(conflict) : null;
        const button = el(
          "button",
          {
            type: "button",
            class: [
              "option",
              isSelected ? "is-selected" : "",
              available ? "" : "is-unavailable",
              option.id === recommended ? "is-recommended" : "",
            ].join(" "),
            "data-option": option.id,
            "aria-pressed": isSelected ? "true" : "false",
            "aria-disabled": available ? null : "true",
            "aria-describedby": available ? null : why.id,
            title: reason,
            onclick: () => {
              if (!available) {
                why.textContent = `${option.label} — ${T.unavailable}: ${reason || ""}`;
                why.hidden = false;
                return;
              }
              busy(async () => {
                if (isSelected) {
                  await choose("unset", module.id, option.id);
                  return;
                }
                if (switchable) {
                  for (const c of conflict.choices) {
                    const [m, o] = c.split(".");
                    await choose("unset", m, o);
                  }
                }
                await choose("select", module.id, option.id);
              });
            },
          },
          el("span", { class: "option-label", text: option.label }),
          el("span", { class: "option-price", text: Number(option.price) ? money(option.price) : "" }),
          option.id === recommended ? el("span", { class: "badge", text: `★ ${T.recommended}` }) : null,
          !available ? el("span", { class: "visually-hidden", text: ` (${T.unavailable})` }) : null,
        );
        return button;
      });
      return el(
        "fieldset",
        { class: "module", "data-module": module.id },
        el("legend", { text: module.label }),
        el("span", { class: "hint", text: chooseHint(module) }),
        el("div", { class: "options" }, buttons),
        why,
      );
    });
    container.replaceChildren(...fieldsets);
  }

  // -- bundles and quotes ----------------------------------------------------------------------------------

  function requirements() {
    return state.session.choices.map((c) => (c.selected ? "" : "!") + `${c.module}.${c.option}`);
  }

  function budget() {
    const value = $("budget").value.trim();
    return value ? value : null;
  }

  function renderBundles(answer) {
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
            `${optionLabel(r.module, r.option)} — ${r.because}`,
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
            el("h3", {}, `${T.bundle} ${b.rank}`, el("span", { class: "role", text: b.role }), el("span", { class: "total", text: money(b.price) })),
            el("details", { open: b.rank === 1 }, el("summary", { text: T.contents }), el("ul", { class: "items" }, items)),
            reasons.length ? el("h4", { text: T.reasons }) : null,
            reasons.length ? el("ul", { class: "reasons" }, reasons) : null,
            services.length ? el("h4", { text: T.services }) : null,
            services.length ? el("ul", { class: "items" }, services) : null,
            repair,
          ),
        );
      }),
    );
  }

  async function propose() {
    const answer = await call("POST", `customers/${encodeURIComponent(state.customer.customer_id)}/bundles`, {
      catalog: state.catalog.id,
      budget: budget(),
      requirements: requirements(),
      locale: LANG,
    });
    renderBundles(answer);
  }

  async function quote() {
    const made = await call("POST", `customers/${encodeURIComponent(state.customer.customer_id)}/quotes`, {
      catalog: state.catalog.id,
      budget: budget(),
      requirements: requirements(),
    });
    const link = (format) => API + made.links[format].replace(/^\//, "");
    $("quote-result").replaceChildren(
      el(
        "div",
        { class: "quote" },
        el("p", { text: fill(T.quote_ready, { id: made.quote_id, version: made.version, total: money(made.total) }) }),
        el(
          "p",
          { class: "buttons" },
          el("a", { href: link("html"), target: "_blank", rel: "noopener", class: "link-button" }, T.open_html),
          el("a", { href: link("pdf"), target: "_blank", rel: "noopener", class: "link-button" }, T.open_pdf),
        ),
      ),
    );
  }

  // -- wiring --------------------------------------------------------------------------------------------------

  $("lang").addEventListener("change", () => {
    const url = new URL(window.location.href);
    url.searchParams.set("lang", $("lang").value);
    window.location.assign(url);
  });
  $("start").addEventListener("submit", (event) => {
    event.preventDefault();
    busy(open);
  });
  $("clear").addEventListener("click", () =>
    busy(async () => {
      const sid = state.session.session_id;
      await call("POST", `sessions/${encodeURIComponent(sid)}/choices`, { action: "clear" });
      await refresh(sid);
    }),
  );
  $("propose").addEventListener("click", () => busy(propose));
  $("quote").addEventListener("click", () => busy(quote));

  busy(async () => {
    await loadCatalogs();
    if ($("customer").value.trim() && $("catalog").dataset.initial) await open();
  });
})();
