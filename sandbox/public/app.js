// Lectern sandbox page. No framework, no build step. Everything the bot sends is rendered by
// building DOM nodes from the text and its entities (never innerHTML): deck text is user input.

const $ = (/** @type {string} */ sel, /** @type {ParentNode} */ root = document) => root.querySelector(sel);

/** @type {any} */
let config;
const view = { user: 0, chat: 0, since: -1, lastEventSeq: -1, showSource: false };
/** @type {AbortController | undefined} */
let pollAbort;
/** @type {File | undefined} */
let attachment;
/** @type {any} */
let lastState;
const rendered = new Map(); // message_id -> { signature, node }
/** After the user's own message or button press, the chat follows the bot's answer until then (ms). */
let followUntil = 0;
const FOLLOW_MS = 15_000;

// ---------------------------------------------------------------------------------------------
// Start

async function main() {
  config = await (await fetch("/sandbox/config")).json();
  const params = new URLSearchParams(location.hash.slice(1));
  const wantUser = Number(params.get("user"));
  view.user = config.users.some((/** @type {any} */ u) => u.id === wantUser) ? wantUser : config.users[0].id;
  const wantChat = params.get("chat");
  view.chat = wantChat === "private" || !wantChat ? view.user : Number(wantChat);
  if (!chatOptions().some((c) => c.id === view.chat)) view.chat = view.user;
  renderSwitchers();
  wireComposer();
  wireWebApp();
  wireActions();
  void pollLoop();
}

function chatOptions() {
  const out = [{ id: view.user, key: "private", label: `${config.bot.first_name}`, sub: "private chat with the bot" }];
  for (const g of config.groups) {
    if (g.members.includes(view.user)) out.push({ id: g.id, key: String(g.id), label: g.title, sub: "group · bot is a member" });
  }
  return out;
}

function saveHash() {
  const chat = view.chat === view.user ? "private" : String(view.chat);
  history.replaceState(null, "", `#user=${view.user}&chat=${encodeURIComponent(chat)}`);
}

// ---------------------------------------------------------------------------------------------
// Switchers

function renderSwitchers() {
  const users = /** @type {HTMLElement} */ ($('[data-testid="user-switcher"]'));
  users.replaceChildren(
    ...config.users.map((/** @type {any} */ u) =>
      choice({
        testid: `user-${u.id}`,
        title: u.name,
        sub: u.label,
        avatar: u.first_name[0],
        checked: u.id === view.user,
        onSelect: () => {
          const wasPrivate = view.chat === view.user;
          view.user = u.id;
          if (wasPrivate || !chatOptions().some((c) => c.id === view.chat)) view.chat = u.id;
          switchView();
        },
      }),
    ),
  );
  const chats = /** @type {HTMLElement} */ ($('[data-testid="chat-switcher"]'));
  chats.replaceChildren(
    ...chatOptions().map((c) =>
      choice({
        testid: c.key === "private" ? "chat-private" : `chat-${c.id === config.groups[0]?.id ? "group" : c.id}`,
        title: c.label,
        sub: c.sub,
        avatar: c.label[0],
        checked: c.id === view.chat,
        onSelect: () => {
          view.chat = c.id;
          switchView();
        },
      }),
    ),
  );
}

/** @param {{ testid: string, title: string, sub: string, avatar: string, checked: boolean, onSelect: () => void }} o */
function choice(o) {
  const b = el("button", { type: "button", class: "choice", role: "radio", "data-testid": o.testid });
  b.setAttribute("aria-checked", String(o.checked));
  b.append(el("span", { class: "avatar small", "aria-hidden": "true" }, o.avatar), el("span", { class: "choice-text" }, el("strong", {}, o.title), el("small", {}, o.sub)));
  b.addEventListener("click", o.onSelect);
  return b;
}

function switchView() {
  saveHash();
  renderSwitchers();
  rendered.clear();
  /** @type {HTMLElement} */ ($('[data-testid="messages"]')).replaceChildren();
  view.since = -1;
  pollAbort?.abort();
}

// ---------------------------------------------------------------------------------------------
// State polling

async function pollLoop() {
  for (;;) {
    pollAbort = new AbortController();
    const wanted = { user: view.user, chat: view.chat };
    try {
      const q = new URLSearchParams({ user: String(view.user), chat: String(view.chat), since: String(view.since), wait: view.since < 0 ? "0" : "25" });
      const res = await fetch(`/sandbox/state?${q}`, { signal: pollAbort.signal });
      const state = await res.json();
      if (wanted.user !== view.user || wanted.chat !== view.chat) continue;
      view.since = state.version;
      render(state);
    } catch (e) {
      if (/** @type {any} */ (e)?.name === "AbortError") continue;
      setStatus("down", "The sandbox server is not answering (was npm start stopped?)");
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

/** @param {"ok" | "down" | "unknown" | "warn"} state @param {string} text */
function setStatus(state, text) {
  const s = /** @type {HTMLElement} */ ($('[data-testid="worker-status"]'));
  s.dataset.state = state;
  /** @type {HTMLElement} */ ($(".status-text", s)).textContent = text;
}

/** @param {any} state */
function render(state) {
  lastState = state;
  // status line
  const w = state.worker;
  const mode = state.mode === "webhook" ? "webhook mode" : "polling mode";
  if (w.reachable === true) setStatus("ok", `Worker reachable at ${w.url} · ${mode}`);
  else if (w.reachable === false) setStatus("down", `Worker not reachable at ${w.url} (${w.error || "no answer"}) — is wrangler dev still starting?`);
  else setStatus("unknown", `Checking the Worker at ${w.url}…`);

  renderHeader(state);
  const list = /** @type {HTMLElement} */ ($('[data-testid="messages"]'));
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  const changed = renderMessages(state);
  renderTyping(state);
  renderReplyKeyboard(state);
  // As Telegram does: new or edited messages keep a reader who was at the bottom there, and after
  // your own message or button press the chat shows the newest message in full (e.g. the grade
  // buttons under an answer).
  if (changed && (atBottom || Date.now() < followUntil)) list.scrollTop = list.scrollHeight;
  renderEvents(state);
  renderCalls(state);

  const blocked = Boolean(state.blocked[view.user]);
  const isPrivate = view.chat === view.user;
  const blockBtn = /** @type {HTMLButtonElement} */ ($('[data-testid="block-toggle"]'));
  blockBtn.hidden = !isPrivate;
  blockBtn.textContent = blocked ? "Unblock the bot" : "Block the bot";
  blockBtn.dataset.blocked = String(blocked);
  const input = /** @type {HTMLTextAreaElement} */ ($('[data-testid="message-input"]'));
  const disabled = isPrivate && blocked;
  input.disabled = disabled;
  /** @type {HTMLButtonElement} */ ($('[data-testid="send-button"]')).disabled = disabled;
  input.placeholder = disabled ? "You blocked the bot. Unblock it to write again." : "Write a message… (Enter sends, Shift+Enter for a new line)";
}

/** @param {any} state */
function renderHeader(state) {
  const isPrivate = view.chat === view.user;
  const title = isPrivate ? config.bot.first_name : state.chat?.title ?? "Group";
  $('[data-testid="chat-title"]').textContent = title;
  $('[data-testid="chat-avatar"]').textContent = title[0];
  const me = config.users.find((/** @type {any} */ u) => u.id === view.user);
  $('[data-testid="chat-subtitle"]').textContent = isPrivate
    ? `@${config.bot.username} · you are ${me.name}`
    : `${state.chat?.members?.length ?? 0} members + @${config.bot.username} · you are ${me.name}`;
}

// ---------------------------------------------------------------------------------------------
// Messages

/** Renders the chat's messages; true when one was added, changed or removed. @param {any} state */
function renderMessages(state) {
  const list = /** @type {HTMLElement} */ ($('[data-testid="messages"]'));
  const seen = new Set();
  let appended = false;
  let changed = false;
  /** @type {Element | null} */
  let prev = null;
  for (const m of state.messages) {
    seen.add(m.message_id);
    const signature = JSON.stringify([m, view.showSource, view.user]);
    let entry = rendered.get(m.message_id);
    if (!entry || entry.signature !== signature) {
      const node = messageNode(m, state);
      if (entry) entry.node.replaceWith(node);
      changed = true;
      entry = { signature, node };
      rendered.set(m.message_id, entry);
    }
    const expectedNext = prev ? prev.nextElementSibling : list.firstElementChild;
    if (expectedNext !== entry.node) {
      if (prev) prev.after(entry.node);
      else list.prepend(entry.node);
      appended = true;
    }
    prev = entry.node;
  }
  for (const [id, entry] of rendered) {
    if (!seen.has(id)) {
      changed = true;
      entry.node.remove();
      rendered.delete(id);
    }
  }
  if (state.messages.length === 0) {
    if (!$(".empty", list)) list.append(el("li", { class: "empty", "data-testid": "empty-chat" }, view.chat === view.user ? "No messages yet. Say /start to begin." : "No messages in this group yet."));
  } else $(".empty", list)?.remove();
  return changed || appended;
}

/** @param {any} m @param {any} state */
function messageNode(m, state) {
  const fromBot = m.sandbox?.fromBot;
  const mine = m.sandbox?.mine;
  const li = el("li", {
    class: `msg ${fromBot ? "bot" : mine ? "mine" : "other"}`,
    "data-testid": "message",
    "data-message-id": String(m.message_id),
    "data-from": fromBot ? "bot" : "user",
  });
  const bubble = el("div", { class: "bubble" });
  li.append(bubble);
  if (view.chat !== view.user && !mine) {
    const name = fromBot ? config.bot.first_name : [m.from?.first_name, m.from?.last_name].filter(Boolean).join(" ");
    bubble.append(el("div", { class: "sender" }, name));
  }
  if (m.reply_to_message) {
    const r = m.reply_to_message;
    bubble.append(el("div", { class: "reply-to" }, (r.text ?? r.caption ?? (r.poll ? `Poll: ${r.poll.question}` : r.document ? `File: ${r.document.file_name}` : "message")).slice(0, 80)));
  }
  if (m.document) bubble.append(documentNode(m.document));
  if (m.text !== undefined) {
    bubble.append(el("div", { class: "text", "data-testid": "message-text" }, ...renderEntities(m.text, m.entities ?? [])));
  }
  if (m.caption !== undefined) {
    bubble.append(el("div", { class: "text caption", "data-testid": "message-caption" }, ...renderEntities(m.caption, m.caption_entities ?? [])));
  }
  if (m.poll) bubble.append(pollNode(m));
  if (view.showSource && m.sandbox?.html !== undefined) {
    bubble.append(el("pre", { class: "source", "data-testid": "message-source" }, m.sandbox.html));
  }
  const meta = el("div", { class: "meta" });
  if (m.edit_date) meta.append(el("span", { class: "edited", "data-testid": "edited" }, "edited"));
  meta.append(el("time", { datetime: new Date(m.date * 1000).toISOString() }, clock(m.date)));
  bubble.append(meta);
  if (m.reply_markup?.inline_keyboard) li.append(keyboardNode(m));
  return li;
}

/** @param {number} seconds */
function clock(seconds) {
  return new Date(seconds * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

/** @param {any} m */
function keyboardNode(m) {
  const kb = el("div", { class: "inline-keyboard", "data-testid": "inline-keyboard" });
  for (const row of m.reply_markup.inline_keyboard) {
    const r = el("div", { class: "kb-row" });
    for (const b of row) {
      if (b.url !== undefined) {
        const href = safeHref(b.url);
        const a = el("a", { class: "kb-button url", "data-testid": "url-button", target: "_blank", rel: "noopener noreferrer" }, b.text, el("span", { class: "kb-icon", "aria-hidden": "true" }, " ↗"));
        if (href) a.setAttribute("href", href);
        r.append(a);
      } else if (b.callback_data !== undefined) {
        const btn = el("button", { type: "button", class: "kb-button", "data-testid": "inline-button", "data-callback-data": b.callback_data }, b.text);
        btn.addEventListener("click", async () => {
          btn.classList.add("pressed");
          await act("/sandbox/press", { user: view.user, chat: view.chat, message_id: m.message_id, data: b.callback_data });
          setTimeout(() => btn.classList.remove("pressed"), 600);
        });
        r.append(btn);
      } else if (b.web_app !== undefined) {
        const btn = el("button", { type: "button", class: "kb-button webapp", "data-testid": "webapp-button", "data-url": String(b.web_app?.url ?? "") }, b.text);
        btn.addEventListener("click", () => openWebApp(String(b.web_app?.url ?? ""), b.text));
        r.append(btn);
      } else {
        r.append(el("button", { type: "button", class: "kb-button", disabled: "", title: "Not supported in the sandbox" }, b.text));
      }
    }
    kb.append(r);
  }
  return kb;
}

/** @param {any} d */
function documentNode(d) {
  const a = el("a", { class: "document", "data-testid": "document-link", href: `/sandbox/file/${encodeURIComponent(d.file_id)}`, download: d.file_name ?? "" },
    el("span", { class: "doc-icon", "aria-hidden": "true" }, (extension(d.file_name ?? "") || "file").slice(0, 4)),
    el("span", { class: "doc-text" }, el("strong", {}, d.file_name ?? "file"), el("small", {}, `${size(d.file_size ?? 0)} · ${d.mime_type ?? ""}`)),
  );
  return a;
}

/** @param {string} name */
function extension(name) {
  const m = /\.([A-Za-z0-9]{1,8})$/.exec(name);
  return m ? m[1].toLowerCase() : "";
}

/** @param {number} n */
function size(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** @param {any} m */
function pollNode(m) {
  const p = m.poll;
  const myVotes = m.sandbox?.myVotes ?? null;
  const voted = Array.isArray(myVotes) && myVotes.length > 0;
  const showResults = voted || p.is_closed || !m.sandbox?.canVote;
  const quiz = p.type === "quiz";
  const box = el("div", { class: `poll ${quiz ? "quiz" : "regular"}`, "data-testid": "poll", "data-poll-id": p.id, "data-answered": String(voted) });
  box.append(el("div", { class: "poll-question", "data-testid": "poll-question" }, ...renderEntities(p.question, p.question_entities ?? [])));
  const kind = `${p.is_anonymous ? "Anonymous " : ""}${quiz ? "Quiz" : "Poll"}${p.allows_multiple_answers ? " · multiple answers" : ""}`;
  box.append(el("div", { class: "poll-kind" }, p.is_closed ? `${kind} · final results` : kind));
  const list = el("div", { class: "poll-options", role: "group", "aria-label": "Answer options" });
  const total = p.total_voter_count || 0;
  const correct = new Set(p.correct_option_ids ?? []);
  /** @type {Set<number>} */
  const picked = new Set();
  p.options.forEach((/** @type {any} */ o, /** @type {number} */ i) => {
    if (showResults) {
      const pct = total ? Math.round((o.voter_count / total) * 100) : 0;
      const chosen = voted && myVotes.includes(i);
      const cls = ["poll-result"];
      let mark = "";
      if (quiz && correct.has(i)) {
        cls.push("correct");
        mark = "✓";
      }
      if (quiz && chosen && !correct.has(i)) {
        cls.push("wrong");
        mark = "✗";
      }
      if (!quiz && chosen) {
        cls.push("chosen");
        mark = "✓";
      }
      const bar = el("span", { class: "bar", "aria-hidden": "true" });
      bar.style.width = `${Math.max(pct, 2)}%`;
      const label = chosen ? (quiz ? (correct.has(i) ? " (your answer, correct)" : " (your answer, wrong)") : " (your vote)") : quiz && correct.has(i) ? " (correct answer)" : "";
      const row = el("div", { class: cls.join(" "), "data-testid": "poll-result", "data-option": String(i), "data-correct": String(correct.has(i)), "data-chosen": String(chosen) },
        el("span", { class: "pct" }, `${pct}%`),
        el("span", { class: "opt-col" },
          el("span", { class: "opt" }, el("span", { class: "mark", "aria-hidden": "true" }, mark), o.text, el("span", { class: "visually-hidden" }, label)),
          bar),
      );
      list.append(row);
    } else if (p.allows_multiple_answers) {
      const id = `opt-${m.message_id}-${i}`;
      const input = el("input", { type: "checkbox", id, "data-testid": "poll-option", "data-option": String(i) });
      input.addEventListener("change", () => (/** @type {HTMLInputElement} */ (input).checked ? picked.add(i) : picked.delete(i)));
      list.append(el("label", { class: "poll-option multi", for: id }, input, o.text));
    } else {
      const b = el("button", { type: "button", class: "poll-option", "data-testid": "poll-option", "data-option": String(i) }, el("span", { class: "radio", "aria-hidden": "true" }), o.text);
      b.addEventListener("click", () => act("/sandbox/vote", { user: view.user, poll_id: p.id, option_ids: [i] }));
      list.append(b);
    }
  });
  box.append(list);
  if (!showResults && p.allows_multiple_answers) {
    const vote = el("button", { type: "button", class: "poll-vote", "data-testid": "poll-vote" }, "Vote");
    vote.addEventListener("click", () => act("/sandbox/vote", { user: view.user, poll_id: p.id, option_ids: [...picked] }));
    box.append(vote);
  }
  if (voted && quiz) {
    const right = myVotes.every((/** @type {number} */ i) => correct.has(i)) && myVotes.length === correct.size;
    box.append(el("div", { class: `quiz-verdict ${right ? "right" : "wrong"}`, "data-testid": "quiz-verdict", "data-correct": String(right) }, right ? "Correct!" : "Wrong answer"));
    if (p.explanation) {
      box.append(el("div", { class: "explanation", "data-testid": "poll-explanation" }, el("strong", { class: "explanation-label" }, "Explanation: "), ...renderEntities(p.explanation, p.explanation_entities ?? [])));
    }
  }
  const footer = el("div", { class: "poll-footer" }, `${total} ${quiz ? (total === 1 ? "answer" : "answers") : total === 1 ? "vote" : "votes"}`);
  if (voted && !p.is_closed && p.allows_revoting) {
    const retract = el("button", { type: "button", class: "link", "data-testid": "poll-retract" }, "Retract vote");
    retract.addEventListener("click", () => act("/sandbox/vote", { user: view.user, poll_id: p.id, option_ids: [] }));
    footer.append(" · ", retract);
  }
  box.append(footer);
  return box;
}

// ---------------------------------------------------------------------------------------------
// Entities -> DOM

/** @param {string} url */
function safeHref(url) {
  try {
    const u = new URL(url);
    return u.protocol === "http:" || u.protocol === "https:" || u.protocol === "mailto:" ? u.href : "";
  } catch {
    return "";
  }
}

/**
 * Builds DOM nodes for text with Bot API entities (UTF-16 offsets). Entities that overlap
 * without nesting are split, so any list Telegram accepts renders.
 * @param {string} text
 * @param {any[]} entities
 * @returns {Node[]}
 */
function renderEntities(text, entities) {
  const list = entities
    .filter((e) => e && e.length > 0 && e.offset >= 0 && e.offset < text.length)
    .map((e, i) => ({ ...e, end: Math.min(text.length, e.offset + e.length), i }))
    .sort((a, b) => a.offset - b.offset || b.end - a.end || a.i - b.i);
  const root = document.createDocumentFragment();
  /** @type {{ e: any, node: ParentNode }[]} */
  const stack = [];
  const top = () => (stack.length ? stack[stack.length - 1].node : root);
  const points = new Set([0, text.length]);
  for (const e of list) {
    points.add(e.offset);
    points.add(e.end);
  }
  const sorted = [...points].sort((a, b) => a - b);
  let next = 0;
  for (let k = 0; k < sorted.length; k++) {
    const pos = sorted[k];
    // close entities that end here (reopening inner ones that continue)
    if (stack.some((s) => s.e.end <= pos)) {
      const reopen = [];
      while (stack.length) {
        const s = /** @type {{ e: any, node: ParentNode }} */ (stack.pop());
        if (s.e.end > pos) reopen.unshift(s.e);
        if (!stack.some((t) => t.e.end <= pos)) break;
      }
      for (const e of reopen) open(e);
    }
    while (next < list.length && list[next].offset === pos) open(list[next++]);
    const to = sorted[k + 1];
    if (to !== undefined && to > pos) top().append(document.createTextNode(text.slice(pos, to)));
  }
  return [root];

  /** @param {any} e */
  function open(e) {
    const node = entityElement(e);
    top().append(node);
    stack.push({ e, node: node.tagName === "PRE" ? /** @type {ParentNode} */ (node.firstChild) : node });
  }
}

/** @param {any} e */
function entityElement(e) {
  switch (e.type) {
    case "bold":
      return el("strong", {});
    case "italic":
      return el("em", {});
    case "underline":
      return el("u", {});
    case "strikethrough":
      return el("s", {});
    case "spoiler": {
      const s = el("span", { class: "spoiler", tabindex: "0", role: "button", "aria-label": "Spoiler: press to reveal" });
      const reveal = () => s.classList.add("revealed");
      s.addEventListener("click", reveal);
      s.addEventListener("keydown", (ev) => (/** @type {KeyboardEvent} */ (ev).key === "Enter" ? reveal() : undefined));
      return s;
    }
    case "code":
      return el("code", {});
    case "pre": {
      const pre = el("pre", {});
      const code = el("code", e.language ? { "data-language": e.language, class: `language-${e.language}` } : {});
      pre.append(code);
      return pre;
    }
    case "blockquote":
      return el("blockquote", {});
    case "expandable_blockquote": {
      const q = el("blockquote", { class: "expandable", tabindex: "0", title: "Press to expand" });
      q.addEventListener("click", () => q.classList.toggle("expanded"));
      return q;
    }
    case "text_link": {
      const href = safeHref(e.url);
      const a = el("a", { target: "_blank", rel: "noopener noreferrer", title: e.url });
      if (href) a.setAttribute("href", href);
      return a;
    }
    case "url": {
      return el("span", { class: "autolink" });
    }
    case "text_mention":
      return el("span", { class: "mention", title: `user ${e.user?.id}` });
    case "mention":
    case "hashtag":
    case "cashtag":
    case "bot_command":
    case "email":
    case "phone_number":
      return el("span", { class: e.type.replace("_", "-") });
    default:
      return el("span", { "data-entity": String(e.type) });
  }
}

/**
 * @param {string} tag
 * @param {Record<string, string>} attrs
 * @param {...(Node | string)} children
 */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

// ---------------------------------------------------------------------------------------------
// Typing, reply keyboard, notices, log

/** @param {any} state */
function renderTyping(state) {
  const t = /** @type {HTMLElement} */ ($('[data-testid="typing"]'));
  const action = state.chat?.chatAction;
  if (action && action.until > Date.now()) {
    t.hidden = false;
    t.textContent = `${config.bot.first_name} is ${action.action === "typing" ? "typing" : action.action.replace(/_/g, " ")}…`;
    setTimeout(() => {
      if (lastState === state) t.hidden = true;
    }, Math.max(0, action.until - Date.now()));
  } else t.hidden = true;
}

/** @param {any} state */
function renderReplyKeyboard(state) {
  const box = /** @type {HTMLElement} */ ($('[data-testid="reply-keyboard"]'));
  const kb = state.chat?.replyKeyboard;
  if (!kb) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  box.hidden = false;
  box.replaceChildren(
    ...kb.keyboard.map((/** @type {any[]} */ row) =>
      el("div", { class: "kb-row" }, ...row.map((b) => {
        const btn = el("button", { type: "button", class: "kb-button", "data-testid": "reply-button" }, b.text);
        btn.addEventListener("click", () => act("/sandbox/send", { user: view.user, chat: view.chat, text: b.text }));
        return btn;
      })),
    ),
  );
}

/** @param {any} state */
function renderEvents(state) {
  const events = state.events ?? [];
  const maxSeq = events.length ? events[events.length - 1].seq : 0;
  if (view.lastEventSeq < 0) {
    view.lastEventSeq = maxSeq; // don't replay what happened before the page opened
    return;
  }
  for (const ev of events) {
    if (ev.seq <= view.lastEventSeq) continue;
    if (ev.kind === "toast") {
      if (ev.userId === view.user) toast(ev.text);
    } else if (ev.kind === "alert") {
      if (ev.userId === view.user) alertBox(ev.text);
    } else notice(ev.kind, ev.text);
  }
  view.lastEventSeq = Math.max(view.lastEventSeq, maxSeq);
}

/** @param {string} text */
function toast(text) {
  const box = /** @type {HTMLElement} */ ($('[data-testid="toasts"]'));
  const t = el("div", { class: "toast", "data-testid": "toast" }, text);
  box.append(t);
  setTimeout(() => t.remove(), 4000);
}

/** @param {string} text */
function alertBox(text) {
  const d = /** @type {HTMLDialogElement} */ ($('[data-testid="alert-dialog"]'));
  $('[data-testid="alert-text"]').textContent = text;
  if (!d.open) d.showModal();
}

/** @param {string} kind @param {string} text */
function notice(kind, text) {
  const box = /** @type {HTMLElement} */ ($('[data-testid="notices"]'));
  const cls = kind === "info" ? "info" : kind === "api-error" || kind === "warning" ? "warn" : "error";
  const close = el("button", { type: "button", class: "notice-close", "aria-label": "Dismiss" }, "✕");
  const n = el("div", { class: `notice ${cls}`, "data-testid": kind === "info" ? "notice-info" : kind === "warning" ? "notice-warning" : "notice-error", role: cls === "info" ? "status" : "alert" },
    el("span", {}, kind === "api-error" ? `Bot API refused a call — ${text}` : text), close);
  close.addEventListener("click", () => n.remove());
  box.append(n);
  while (box.children.length > 4) box.firstElementChild?.remove();
  if (cls === "info") setTimeout(() => n.remove(), 6000);
}

/** @param {any} state */
function renderCalls(state) {
  const ol = /** @type {HTMLElement} */ ($('[data-testid="api-calls"]'));
  ol.replaceChildren(
    ...[...state.calls].reverse().map((/** @type {any} */ c) =>
      el("li", { class: c.ok ? "ok" : "fail" },
        el("span", { class: "call-mark", "aria-hidden": "true" }, c.ok ? "✓" : "✗"),
        el("code", {}, c.method),
        c.chat_id !== null ? ` → ${c.chat_id}` : "",
        c.description ? el("div", { class: "call-error" }, c.description) : ""),
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// Mini Apps: a web_app button opens its page in a phone-sized panel, with init data the sandbox
// server signs with the sandbox bot's token (as Telegram would) and Telegram's light or dark theme.

const webapp = { url: "", title: "", scheme: /** @type {"light" | "dark"} */ ("light") };

/** @param {string} url @param {string} title */
async function openWebApp(url, title) {
  webapp.url = url;
  webapp.title = title;
  const out = await act("/sandbox/webapp", { user: view.user, url, scheme: webapp.scheme });
  if (!out.ok) return;
  const panel = /** @type {HTMLElement} */ ($('[data-testid="webapp-panel"]'));
  const frame = /** @type {HTMLIFrameElement} */ ($('[data-testid="webapp-frame"]'));
  /** @type {HTMLElement} */ ($('[data-testid="webapp-title"]')).textContent = title;
  frame.src = out.url;
  panel.hidden = false;
  panel.dataset.scheme = webapp.scheme;
}

function wireWebApp() {
  const panel = /** @type {HTMLElement} */ ($('[data-testid="webapp-panel"]'));
  $('[data-testid="webapp-close"]')?.addEventListener("click", () => {
    panel.hidden = true;
    /** @type {HTMLIFrameElement} */ ($('[data-testid="webapp-frame"]')).src = "about:blank";
  });
  $('[data-testid="webapp-scheme"]')?.addEventListener("click", () => {
    webapp.scheme = webapp.scheme === "light" ? "dark" : "light";
    if (webapp.url) void openWebApp(webapp.url, webapp.title);
  });
}

// ---------------------------------------------------------------------------------------------
// Acting

/** @param {string} path @param {any} body */
async function act(path, body) {
  if (path === "/sandbox/send" || path === "/sandbox/press" || path === "/sandbox/vote") followUntil = Date.now() + FOLLOW_MS;
  try {
    const res = await fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const out = await res.json();
    if (!out.ok) notice("error", out.error ?? `The sandbox refused: HTTP ${res.status}`);
    return out;
  } catch (e) {
    notice("error", `The sandbox server is not answering: ${e instanceof Error ? e.message : e}`);
    return { ok: false };
  }
}

function wireComposer() {
  const form = /** @type {HTMLFormElement} */ ($('[data-testid="composer"]'));
  const input = /** @type {HTMLTextAreaElement} */ ($('[data-testid="message-input"]'));
  const fileInput = /** @type {HTMLInputElement} */ ($('[data-testid="file-input"]'));
  const chip = /** @type {HTMLElement} */ ($('[data-testid="attachment"]'));
  const grow = () => {
    input.style.height = "auto";
    input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
  };
  input.addEventListener("input", grow);
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  const setAttachment = (/** @type {File | undefined} */ f) => {
    attachment = f;
    chip.hidden = !f;
    /** @type {HTMLElement} */ ($(".attachment-name", chip)).textContent = f ? `${f.name} (${size(f.size)}) — the text below becomes its caption` : "";
    if (!f) fileInput.value = "";
  };
  fileInput.addEventListener("change", () => setAttachment(fileInput.files?.[0]));
  /** @type {HTMLElement} */ ($(".attachment-remove", chip)).addEventListener("click", () => setAttachment(undefined));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const text = input.value;
    if (attachment) {
      const data = new FormData();
      data.set("user", String(view.user));
      data.set("chat", String(view.chat));
      if (text.trim()) data.set("caption", text);
      data.set("file", attachment, attachment.name);
      setAttachment(undefined);
      input.value = "";
      grow();
      followUntil = Date.now() + FOLLOW_MS;
      try {
        const res = await fetch("/sandbox/upload", { method: "POST", body: data });
        const out = await res.json();
        if (!out.ok) notice("error", out.error ?? "Upload failed");
      } catch (err) {
        notice("error", `Upload failed: ${err instanceof Error ? err.message : err}`);
      }
      return;
    }
    if (!text.trim()) return;
    input.value = "";
    grow();
    const out = await act("/sandbox/send", { user: view.user, chat: view.chat, text });
    if (!out.ok) input.value = text;
    input.focus();
  });
}

function wireActions() {
  const run = /** @type {HTMLButtonElement} */ ($('[data-testid="run-daily-job"]'));
  run.addEventListener("click", async () => {
    run.disabled = true;
    run.textContent = "Running the daily job…";
    try {
      await fetch("/sandbox/cron", { method: "POST" });
    } finally {
      run.disabled = false;
      run.textContent = "Run the daily job now";
    }
  });
  const block = /** @type {HTMLButtonElement} */ ($('[data-testid="block-toggle"]'));
  block.addEventListener("click", () => act("/sandbox/block", { user: view.user, blocked: block.dataset.blocked !== "true" }));
  $('[data-testid="clear-chat"]').addEventListener("click", () => act("/sandbox/clear", { user: view.user, chat: view.chat }));
  const source = /** @type {HTMLInputElement} */ ($('[data-testid="show-source"]'));
  source.addEventListener("change", () => {
    view.showSource = source.checked;
    if (lastState) renderMessages(lastState);
  });
}

void main();
