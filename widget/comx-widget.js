/*! comxbot chat widget. Dependency-free; served as is by GET /api/public/v1/widget.js.
 * Embed: <script src="https://HOST/api/public/v1/widget.js" data-widget-key="comx_pk_…" [data-learner-id="…"] async></script>
 * docs/widget.md describes the behaviour, the storage it uses and the accessibility it provides. */
(() => {
  'use strict';

  const script = document.currentScript || document.querySelector('script[data-widget-key][src*="widget.js"]');
  if (!script || !script.dataset.widgetKey || window.__comxWidget) return;
  window.__comxWidget = true;

  const widgetKey = script.dataset.widgetKey;
  const learnerId = script.dataset.learnerId || null;
  const api = new URL(script.src, location.href).origin + '/api/public/v1';
  const storeKey = 'comx:' + widgetKey + (learnerId ? ':' + learnerId : '');
  // Polls while the panel is open (and during a handoff while it is closed): fast while staff have the chat, slower when idle.
  const POLL_MIN = Number(script.dataset.pollMs) || 2000;
  const POLL_IDLE = POLL_MIN * 2.5;
  const POLL_HANDOFF_MAX = 15000;
  const POLL_MAX = 30000;
  const KEEP = 100;

  // ---------- state (sessionStorage: survives a reload, not a new tab) ----------
  // cursor: the server's next_after, never a message id of ours; config: the last widget-config, so a reload paints themed at once.
  const blank = () => ({ session: null, greeting: null, a11y: null, messages: [], cursor: null, handoff: false, config: null });
  let state = blank();
  try { Object.assign(state, JSON.parse(sessionStorage.getItem(storeKey)) || {}); } catch { /* storage blocked or corrupt */ }
  const save = () => {
    state.messages = state.messages.slice(-KEEP);
    try { sessionStorage.setItem(storeKey, JSON.stringify(state)); } catch { /* quota or blocked: the chat still works */ }
  };
  let config = state.config || { greeting: null, theme: null, handoff_enabled: false, enquiries_enabled: false, staff_available: true, away_message: null };
  const answers = new Map();
  let open = false, view = 'chat', sending = false, pollTimer = 0, pollDelay = POLL_MIN, sessionPromise = null;

  // ---------- HTTP ----------
  const call = async (method, path, body, token, idempotencyKey) => {
    const headers = {};
    if (body) headers['Content-Type'] = 'application/json';
    if (token) headers['X-Session-Token'] = token;
    if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
    let response;
    try {
      response = await fetch(api + path, { method, headers, body: body ? JSON.stringify(body) : undefined, credentials: 'omit' });
    } catch {
      return { ok: false, status: 0, error: { code: 'NETWORK' } };
    }
    let data = null;
    try { data = await response.json(); } catch { /* empty or not JSON */ }
    if (response.ok) return { ok: true, status: response.status, data };
    const retry = parseInt(response.headers.get('Retry-After') || '', 10);
    return { ok: false, status: response.status, error: (data && data.error) || { code: 'HTTP_' + response.status }, retryAfter: retry > 0 ? retry : null };
  };
  const newKey = () => (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2));

  /** Plain words for every failure a visitor can meet. */
  const explain = (result) => {
    const e = result.error || {};
    switch (e.code) {
      case 'COMX_RATE_LIMITED': {
        const seconds = result.retryAfter || (e.details && e.details.retry_after_seconds) || 60;
        return `You're sending messages too quickly. Please try again in ${seconds} second${seconds === 1 ? '' : 's'}.`;
      }
      case 'COMX_POLICY_BLOCK': return e.message || "Sorry, I can't help with that message.";
      case 'COMX_PROVIDER_UNAVAILABLE': return 'The assistant is unavailable right now. Please try again in a minute.';
      case 'COMX_VALIDATION_ERROR': return e.message || 'Please check what you typed and try again.';
      case 'COMX_FORBIDDEN':
        return e.details && e.details.reason ? 'The assistant cannot answer more questions right now. Please use the contact form.'
          : 'This chat is not available on this site.';
      case 'COMX_NOT_FOUND': return 'This chat is not set up correctly. Please contact the site owner.';
      case 'NETWORK': return "Can't reach the assistant. Check your connection and try again.";
      default: return 'Something went wrong. Please try again.';
    }
  };

  // ---------- DOM helpers ----------
  const h = (tag, props, ...children) => {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c);
    return el;
  };
  const sr = (text) => h('span', { class: 'sr', text });

  const luminance = (hex) => {
    const [r, g, b] = [1, 3, 5].map((i) => {
      const c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const contrast = (a, b) => {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };

  // ---------- styles ----------
  const css = `
:host{all:initial}
.comx{--fs:16px;--primary:#1d4ed8;--on-primary:#fff;--bg:#fff;--fg:#1b1b1b;--muted:#4a4f57;--line:#6b7280;--bot:#eef1f5;--link:#1d4ed8;--ring:#111;--gap:#fff;
 font:400 var(--fs)/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:var(--fg);position:fixed;z-index:2147483000;bottom:16px;right:16px;text-align:left}
.comx.left{right:auto;left:16px}
.comx *{box-sizing:border-box}
.comx.dys{font-family:"ComxAtkinson","Atkinson Hyperlegible","OpenDyslexic","Lexend","Comic Sans MS",Verdana,sans-serif;letter-spacing:.05em;word-spacing:.12em;line-height:1.7}
.comx.hc{--primary:#ff0;--on-primary:#000;--bg:#000;--fg:#fff;--muted:#fff;--line:#fff;--bot:#000;--link:#ff0;--ring:#ff0;--gap:#000}
.sr{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
button,input,textarea{font:inherit;color:inherit;letter-spacing:inherit;word-spacing:inherit}
:focus-visible{outline:3px solid var(--ring);outline-offset:2px;box-shadow:0 0 0 2px var(--gap)}
.launcher{display:flex;align-items:center;gap:.5em;border:2px solid var(--gap);border-radius:2em;padding:.7em 1.1em;min-height:44px;background:var(--primary);color:var(--on-primary);cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.3);font-weight:600}
.launcher svg{width:1.3em;height:1.3em;fill:currentColor}
.badge{background:var(--bg);color:var(--fg);border-radius:1em;padding:0 .45em;font-size:.8em}
.panel{position:fixed;bottom:16px;right:16px;width:min(23.75em,calc(100vw - 32px));height:min(38em,calc(100vh - 32px));display:flex;flex-direction:column;background:var(--bg);color:var(--fg);border:1px solid var(--line);border-radius:12px;box-shadow:0 10px 40px rgba(0,0,0,.35);overflow:hidden;animation:comx-in .18s ease-out}
.left .panel{right:auto;left:16px}
.panel[hidden],[hidden]{display:none!important}
@keyframes comx-in{from{opacity:0;transform:translateY(12px)}to{opacity:1;transform:none}}
@media (max-width:480px),(max-height:520px){.panel,.left .panel{inset:0;width:100%;height:100%;border-radius:0;border:0}}
header{display:flex;align-items:center;gap:.5em;padding:.6em .6em .6em 1em;background:var(--primary);color:var(--on-primary)}
.hc header{border-bottom:2px solid var(--fg)}
h2{margin:0;flex:1;font-size:1.1em;font-weight:700;overflow-wrap:anywhere}
.icon{background:transparent;border:2px solid transparent;border-radius:6px;min-width:44px;min-height:44px;cursor:pointer;color:inherit;font-size:1.4em;line-height:1}
.scroll{flex:1;overflow-y:auto;padding:1em;display:flex;flex-direction:column;gap:.75em;overscroll-behavior:contain}
.log{display:flex;flex-direction:column;gap:.75em}
.msg{max-width:88%;padding:.6em .85em;border-radius:12px;overflow-wrap:anywhere}
.msg p{margin:0;white-space:pre-wrap}
.msg p+p,.msg ul+p,.msg p+ul{margin-top:.5em}
.msg ul{margin:0;padding-left:1.25em}
.msg a{color:var(--link);text-decoration:underline}
.visitor a{color:inherit}
.visitor{align-self:flex-end;background:var(--primary);color:var(--on-primary);border-bottom-right-radius:4px}
.bot,.agent{align-self:flex-start;background:var(--bot);border-bottom-left-radius:4px}
.hc .msg{border:2px solid var(--fg)}
.agent{border-left:4px solid var(--primary)}
.who{display:block;font-size:.8em;font-weight:700;color:var(--muted);margin-bottom:.2em}
.visitor .who{color:inherit}
.escalated{border:3px solid #a4262c;background:var(--bg)}
.hc .escalated{border-color:var(--fg)}
.note{align-self:center;text-align:center;font-size:.9em;color:var(--muted);max-width:95%;margin:0}
.tools{display:flex;flex-wrap:wrap;gap:.4em;margin-top:.5em}
.chip{background:var(--bg);color:var(--fg);border:1px solid var(--line);border-radius:1em;padding:.3em .8em;min-height:36px;cursor:pointer;font-size:.9em}
.chip[aria-pressed=true]{background:var(--primary);color:var(--on-primary);border-color:var(--primary)}
.thanks{font-size:.85em;color:var(--muted);align-self:center}
.note .chip{margin-top:.4em}
.sources{margin:.5em 0 0;padding:0;list-style:none;display:flex;flex-direction:column;gap:.5em}
.sources li{background:var(--bg);border:1px solid var(--line);border-radius:8px;padding:.5em .7em;font-size:.92em}
.sources a{color:var(--link);font-weight:600;text-decoration:underline}
.sources q{display:block;margin-top:.25em;color:var(--muted);quotes:none}
.typing{align-self:flex-start;background:var(--bot);border-radius:12px;padding:.7em .9em;display:flex;gap:.3em}
.hc .typing{border:2px solid var(--fg)}
.typing i{width:.5em;height:.5em;border-radius:50%;background:var(--muted);animation:comx-dot 1s infinite ease-in-out}
.typing i:nth-child(2){animation-delay:.15s}.typing i:nth-child(3){animation-delay:.3s}
@keyframes comx-dot{0%,80%,100%{opacity:.3;transform:none}40%{opacity:1;transform:translateY(-3px)}}
.error{margin:0 1em;padding:0;color:#a4262c;font-weight:600}
.hc .error{color:var(--fg)}
.hc ::placeholder{color:#d0d0d0;opacity:1}
.error:not(:empty){padding:.5em 0}
.composer{display:flex;flex-wrap:wrap;gap:.5em;padding:.75em;border-top:1px solid var(--line)}
.composer textarea{flex:1 1 8em}
textarea,input[type=text],input[type=email]{flex:1;min-width:0;background:var(--bg);color:var(--fg);border:2px solid var(--line);border-radius:8px;padding:.5em .6em}
textarea{resize:none;min-height:44px;max-height:8em;field-sizing:content}
.send,.primary{background:var(--primary);color:var(--on-primary);border:2px solid var(--primary);border-radius:8px;padding:.5em 1em;min-height:44px;cursor:pointer;font-weight:600}
.send:disabled{opacity:.6;cursor:default}
.footer{display:flex;flex-wrap:wrap;justify-content:center;gap:0 1em;padding:0 .75em .6em}
.link{background:none;border:0;color:var(--link);text-decoration:underline;cursor:pointer;padding:.3em;min-height:32px}
.enquiry{flex:1;overflow-y:auto;padding:1em;display:flex;flex-direction:column;gap:.8em}
.enquiry p{margin:0}
.field{display:flex;flex-direction:column;gap:.25em}
.field label{font-weight:600}
.field textarea{min-height:6em;max-height:none}
.check{display:flex;gap:.6em;align-items:flex-start}
.check input{width:1.3em;height:1.3em;margin:.15em 0 0;flex:none;accent-color:var(--primary)}
.invalid{color:#a4262c;font-size:.9em;font-weight:600}
.hc .invalid{color:var(--fg)}
[aria-invalid=true]{border-color:#a4262c}
.row{display:flex;gap:.6em;flex-wrap:wrap}
.done{padding:1em;border:2px solid var(--line);border-radius:8px}
@media (prefers-reduced-motion:reduce){.comx *,.comx{animation:none!important;transition:none!important}}
.comx.rm *,.comx.rm{animation:none!important;transition:none!important}
`;

  // ---------- build ----------
  const host = h('div', { id: 'comx-widget', 'data-comx': '' });
  const shadow = host.attachShadow({ mode: 'open' });
  shadow.append(h('style', { text: css }));

  const chatIcon = () => {
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
    path.setAttribute('d', 'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z');
    svg.append(path);
    return svg;
  };

  const badge = h('span', { class: 'badge', hidden: true, text: 'New' });
  const launcherLabel = h('span', { text: 'Chat with us' });
  const launcher = h('button', { type: 'button', class: 'launcher', 'aria-haspopup': 'dialog', 'aria-expanded': 'false', 'aria-controls': 'comx-panel', onclick: () => setOpen(true) },
    chatIcon(), launcherLabel, badge);
  const title = h('h2', { id: 'comx-title', text: 'Chat with us' });
  const closeButton = h('button', { type: 'button', class: 'icon', 'aria-label': 'Close chat', onclick: () => setOpen(false) }, '×');
  const log = h('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions', 'aria-label': 'Conversation' });
  const typing = h('div', { class: 'typing', role: 'status', hidden: true }, sr('The assistant is typing'), h('i', { 'aria-hidden': 'true' }), h('i', { 'aria-hidden': 'true' }), h('i', { 'aria-hidden': 'true' }));
  const scroller = h('div', { class: 'scroll', tabindex: '0', 'aria-label': 'Messages' }, log, typing);
  const errorBox = h('p', { class: 'error', role: 'alert' });
  const input = h('textarea', { id: 'comx-input', rows: '1', maxlength: '4000', placeholder: 'Type your question', autocomplete: 'off', onkeydown: (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); submit(); }
  } });
  const sendButton = h('button', { type: 'submit', class: 'send' }, 'Send');
  const composer = h('form', { class: 'composer', onsubmit: (e) => { e.preventDefault(); submit(); } },
    h('label', { for: 'comx-input', class: 'sr', text: 'Your question' }), input, sendButton);
  const contactButton = h('button', { type: 'button', class: 'link', hidden: true, onclick: () => showEnquiry() }, 'Contact us instead');
  const personButton = h('button', { type: 'button', class: 'link', hidden: true, onclick: () => requestHandoff() }, 'Talk to a person');
  const footer = h('div', { class: 'footer' }, personButton, contactButton);
  const enquiryView = h('div', { class: 'enquiry', hidden: true });
  // Modal only when it fills a phone's screen; on a desktop the page beside it stays usable.
  const panel = h('div', { id: 'comx-panel', class: 'panel', role: 'dialog', 'aria-modal': 'false', 'aria-labelledby': 'comx-title', hidden: true },
    h('header', {}, title, closeButton), scroller, enquiryView, errorBox, composer, footer);
  const root = h('div', { class: 'comx' }, launcher, panel);
  shadow.append(root);

  // ---------- theme and accessibility ----------
  const applyTheme = (theme) => {
    if (!theme) return;
    if (theme.title) { title.textContent = theme.title; launcherLabel.textContent = theme.title; }
    root.classList.toggle('left', theme.position === 'left');
    const color = theme.primary_color;
    if (color && /^#[0-9a-f]{6}$/i.test(color)) {
      // Pick the text colour with the better contrast; a colour that cannot reach 4.5:1 with either keeps the default.
      const on = contrast(color, '#ffffff') >= contrast(color, '#111111') ? '#ffffff' : '#111111';
      if (contrast(color, on) >= 4.5) { root.style.setProperty('--primary', color); root.style.setProperty('--on-primary', on); }
    }
  };
  const applyA11y = (a) => {
    if (!a) return;
    const scale = Math.min(2, Math.max(1, Number(a.font_scale) || 1));
    root.style.setProperty('--fs', (16 * scale) + 'px');
    root.classList.toggle('dys', !!a.dyslexia_font);
    if (a.dyslexia_font) loadFont();
    root.classList.toggle('hc', !!a.high_contrast);
    root.classList.toggle('rm', !!a.reduce_motion);
    if (a.language) root.setAttribute('lang', a.language);
    if (a.high_contrast) { root.style.removeProperty('--primary'); root.style.removeProperty('--on-primary'); }
  };
  // Atkinson Hyperlegible (SIL OFL 1.1), served by the API. Registered on the document: Chromium ignores @font-face in a shadow root.
  let fontLoad = null;
  const loadFont = () => fontLoad || (fontLoad = typeof FontFace === 'function' ? Promise.all([400, 700].map((w) => {
    const face = new FontFace('ComxAtkinson', `url(${api}/widget-fonts/atkinson-hyperlegible-latin-${w}-normal.woff2) format("woff2")`, { weight: String(w), display: 'swap' });
    document.fonts.add(face);
    return face.load();
  })).catch(() => null) : Promise.resolve(null));
  const speech = () => !!(state.a11y && state.a11y.text_to_speech && 'speechSynthesis' in window);
  const speak = (text) => {
    if (!('speechSynthesis' in window)) return;
    window.speechSynthesis.cancel();
    const utterance = new SpeechSynthesisUtterance(text);
    if (state.a11y && state.a11y.language) utterance.lang = state.a11y.language;
    window.speechSynthesis.speak(utterance);
  };

  // ---------- rendering ----------
  // Phone numbers become tel: links: 6–13 digits starting +, 0 or 1 (116 123, 0800 1111), or a short number after "call".
  const PHONE = /(\+?[\d(][\d ()-]{4,16}\d)|\b((?:call|ring|dial|phone|text)\s+(?:on\s+)?)(999|111|112|101|105|85258)\b/gi;
  const inline = (text) => {
    const parts = [];
    let at = 0, m;
    PHONE.lastIndex = 0;
    while ((m = PHONE.exec(text))) {
      let start = m.index, num = m[1];
      if (num) {
        const digits = num.replace(/\D/g, '').length, end = start + num.length;
        if (digits < 6 || digits > 13 || !/^[+(01]/.test(num) || /[\w.£$€:/]/.test(text[start - 1] || ' ') || /^(?:[\w%:/]|\.\d)/.test(text.slice(end))) continue;
      } else { start += m[2].length; num = m[3]; }
      parts.push(text.slice(at, start), h('a', { href: 'tel:' + num.replace(/[^\d+]/g, ''), text: num }));
      at = start + num.length;
    }
    parts.push(text.slice(at));
    return parts;
  };
  // Answers are plain text with line breaks and "- " list items: paragraphs, lists, and tel: links.
  const richText = (text) => {
    const blocks = [];
    let list = null, para = [];
    const flush = () => { if (para.length) blocks.push(h('p', {}, inline(para.join('\n')))); para = []; };
    for (const line of String(text || '').split('\n')) {
      const item = /^\s*[-•*]\s+(.*)$/.exec(line);
      if (item) { flush(); if (!list) blocks.push(list = h('ul')); list.append(h('li', {}, inline(item[1]))); continue; }
      list = null;
      if (line.trim()) para.push(line); else flush();
    }
    flush();
    return blocks.length ? blocks : [h('p')];
  };
  const WHO = { visitor: 'You', bot: 'Assistant', agent: 'Staff' };
  const renderMessage = (m) => {
    if (m.role === 'note') {
      if (!m.offerEnquiry) return h('p', { class: 'note', text: m.text });
      return h('div', { class: 'note' }, h('p', { text: m.text }), h('button', { type: 'button', class: 'chip', onclick: () => showEnquiry() }, 'Leave your details'));
    }
    const bubble = h('div', { class: 'msg ' + m.role + (m.escalated ? ' escalated' : ''), 'data-id': m.id || '' },
      h('span', { class: 'who', text: WHO[m.role] || '' }), m.role === 'visitor' ? h('p', { text: m.text }) : richText(m.text));
    if (m.role === 'visitor') return bubble;
    const tools = h('div', { class: 'tools' });
    let sources = null;
    if (m.answerId && m.cites !== 0) { sources = sourcesList(); tools.append(sourcesToggle(m, sources)); }
    if (speech()) tools.append(h('button', { type: 'button', class: 'chip', onclick: () => speak(m.text) }, 'Read aloud'));
    const actions = m.actions || [];
    if (actions.includes('handoff') && config.handoff_enabled && !state.handoff) tools.append(h('button', { type: 'button', class: 'chip', onclick: () => requestHandoff() }, 'Talk to a person'));
    if (m.fallback || actions.includes('enquiry')) tools.append(h('button', { type: 'button', class: 'chip', onclick: () => showEnquiry() }, 'Leave your details'));
    if (m.role === 'bot' && m.answerId && !m.escalated) tools.append(...votes(m));
    if (tools.childElementCount) bubble.append(tools);
    // The list opens below its button, inside the bubble.
    if (sources) bubble.append(sources);
    return bubble;
  };

  const votes = (m) => {
    const thanks = h('span', { class: 'thanks', role: 'status' });
    const vote = (helpful, label) => h('button', { type: 'button', class: 'chip', 'aria-pressed': String(m.vote === helpful), onclick: async (e) => {
      const button = e.currentTarget;
      if (!sessionValid()) return;
      const result = await call('POST', `/answers/${encodeURIComponent(m.answerId)}/feedback`, { session_id: state.session.id, helpful }, state.session.token, newKey());
      if (!result.ok) { showError(explain(result)); return; }
      m.vote = helpful;
      save();
      for (const b of button.parentElement.querySelectorAll('[aria-pressed]')) b.setAttribute('aria-pressed', String(b === button));
      thanks.textContent = 'Thanks for your feedback.';
    } }, h('span', { 'aria-hidden': 'true', text: helpful ? '👍 ' : '👎 ' }), label);
    return [vote(true, 'Helpful'), vote(false, 'Not helpful'), thanks];
  };

  let sourcesCount = 0;
  const sourcesList = () => h('ul', { class: 'sources', id: 'comx-src-' + (++sourcesCount), hidden: true });
  const sourcesToggle = (m, list) => {
    const id = list.id;
    const label = m.cites ? `Sources (${m.cites})` : 'Sources';
    const button = h('button', { type: 'button', class: 'chip', 'aria-expanded': 'false', 'aria-controls': id, text: label });
    button.addEventListener('click', async () => {
      const expanded = button.getAttribute('aria-expanded') === 'true';
      button.setAttribute('aria-expanded', String(!expanded));
      list.hidden = expanded;
      if (expanded || list.dataset.loaded) return;
      list.replaceChildren(h('li', { text: 'Loading sources…' }));
      let answer = answers.get(m.answerId);
      if (!answer) {
        const result = await call('GET', '/answers/' + encodeURIComponent(m.answerId));
        if (!result.ok) { list.replaceChildren(h('li', { text: explain(result) })); return; }
        answer = result.data;
        answers.set(m.answerId, answer);
      }
      list.dataset.loaded = '1';
      const cites = answer.citations || [];
      list.replaceChildren(...(cites.length ? cites.map((c) => h('li', {},
        c.url && /^https?:/i.test(c.url)
          ? h('a', { href: c.url, target: '_blank', rel: 'noopener noreferrer' }, c.title || c.url, sr(' (opens in a new tab)'))
          : h('strong', { text: c.title || 'Source' }),
        c.snippet ? h('q', { text: c.snippet }) : null)) : [h('li', { text: 'No sources for this answer.' })]));
      list.scrollIntoView({ block: 'nearest' });
    });
    return button;
  };

  const greetingBubble = () => h('div', { class: 'msg bot greeting' }, h('span', { class: 'who', text: 'Assistant' }),
    h('p', { text: state.greeting || config.greeting || 'Hello! How can I help?' }));

  const awayNote = () => config.handoff_enabled && config.staff_available === false && config.away_message
    ? h('p', { class: 'note away', text: config.away_message }) : null;
  const renderAll = () => {
    log.replaceChildren(greetingBubble(), ...[awayNote()].filter(Boolean), ...state.messages.map(renderMessage));
    updateFooter();
    scrollDown();
  };
  const updateFooter = () => {
    personButton.hidden = !config.handoff_enabled || state.handoff;
    contactButton.hidden = !config.enquiries_enabled;
    footer.hidden = view !== 'chat' || (personButton.hidden && contactButton.hidden);
  };
  const scrollDown = () => { scroller.scrollTop = scroller.scrollHeight; };
  const known = (m) => state.messages.some((x) => (m.id && x.id === m.id) || (m.role === 'bot' && m.answerId && x.answerId === m.answerId));
  const append = (m, announce) => {
    if (known(m)) return false;
    state.messages.push(m);
    save();
    log.append(renderMessage(m));
    scrollDown();
    if (announce && (m.role === 'bot' || m.role === 'agent') && speech()) speak(m.text);
    if (!open && m.role === 'agent') badge.hidden = false;
    return true;
  };
  const showError = (text) => { errorBox.textContent = text || ''; };

  // ---------- session ----------
  const sessionValid = () => state.session && Date.parse(state.session.expires_at) > Date.now() + 60000;
  const ensureSession = () => {
    if (sessionValid()) return Promise.resolve(true);
    if (sessionPromise) return sessionPromise;
    sessionPromise = (async () => {
      const body = { widget_key: widgetKey, locale: navigator.language || undefined };
      if (learnerId) body.learner_id = learnerId;
      const result = await call('POST', '/chat/sessions', body);
      sessionPromise = null;
      if (!result.ok) { showError(explain(result)); return false; }
      const d = result.data;
      state.session = { id: d.session_id, token: d.session_token, expires_at: d.expires_at };
      state.greeting = d.greeting;
      state.cursor = null;
      state.handoff = false;
      if (d.accessibility) { state.a11y = d.accessibility; applyA11y(d.accessibility); }
      save();
      renderAll();
      return true;
    })();
    return sessionPromise;
  };

  /**
   * Fetches every message after the server's cursor and shows the ones not shown yet (ids, and answer ids for bot
   * messages, make a message shown by a send and by a sync appear once). Returns how many were new, or the failure.
   */
  const sync = async () => {
    if (!sessionValid()) return null;
    let added = 0;
    for (let pages = 0; pages < 20; pages++) {
      const query = state.cursor ? '?after=' + encodeURIComponent(state.cursor) : '';
      const result = await call('GET', `/chat/sessions/${encodeURIComponent(state.session.id)}/messages${query}`, null, state.session.token);
      if (!result.ok) {
        if (result.status === 401) { state.session = null; state.handoff = false; save(); updateFooter(); }
        // A cursor the server no longer takes: read from the start; what is already shown is skipped.
        if (result.status === 400 && state.cursor) { state.cursor = null; continue; }
        return result;
      }
      for (const m of result.data.data || []) {
        const message = { id: m.message_id, role: m.role, text: m.text, answerId: m.answer_id || null };
        if (known(message)) continue;
        if (m.role === 'agent' && !state.handoff) { state.handoff = true; append({ role: 'note', text: 'A member of staff has joined the chat.' }); }
        if (m.role === 'bot' && state.handoff) state.handoff = false;
        if (append(message, true)) added++;
      }
      state.cursor = result.data.next_after || state.cursor;
      save();
      if (!result.data.has_more) break;
    }
    updateFooter();
    return added;
  };

  const schedulePoll = (delay) => {
    clearTimeout(pollTimer);
    if ((open || state.handoff) && sessionValid()) pollTimer = setTimeout(poll, delay);
  };
  const poll = async () => {
    if (sending) { schedulePoll(POLL_MIN); return; }
    const outcome = await sync();
    const base = state.handoff ? POLL_MIN : POLL_IDLE, max = state.handoff ? POLL_HANDOFF_MAX : POLL_MAX;
    if (typeof outcome === 'number') pollDelay = outcome > 0 ? base : Math.min(max, Math.round(Math.max(pollDelay, base) * 1.6));
    else pollDelay = outcome && outcome.retryAfter ? outcome.retryAfter * 1000 : POLL_MAX;
    schedulePoll(document.visibilityState === 'hidden' ? POLL_MAX : pollDelay);
  };
  const startHandoff = (quiet) => {
    if (!state.handoff) {
      state.handoff = true;
      if (!quiet) append({ role: 'note', text: 'A member of staff will reply here. You can keep this chat open or come back to it.' });
    }
    updateFooter();
    pollDelay = POLL_MIN;
    schedulePoll(POLL_MIN);
  };
  const requestHandoff = async () => {
    showError('');
    if (!(await ensureSession())) return;
    const result = await call('POST', '/chat/handoffs', { session_id: state.session.id }, state.session.token, newKey());
    if (!result.ok) {
      const reason = result.error && result.error.details && result.error.details.reason;
      showError(reason === 'handoff_disabled' ? "Staff can't join this chat. You can leave your details instead." : explain(result));
      return;
    }
    const d = result.data;
    append({ role: 'note', text: d.message, offerEnquiry: !d.staff_available });
    startHandoff(true);
    save();
    input.focus();
  };

  // ---------- sending ----------
  const submit = async (retried) => {
    const text = input.value.trim();
    if (!text || sending) return;
    showError('');
    sending = true;
    sendButton.disabled = true;
    const finish = () => { sending = false; sendButton.disabled = false; typing.hidden = true; };
    if (!(await ensureSession())) { finish(); return; }
    const pending = renderMessage({ role: 'visitor', text });
    log.append(pending);
    input.value = '';
    typing.hidden = false;
    scrollDown();
    const result = await call('POST', '/chat/messages', { session_id: state.session.id, message: text }, state.session.token, newKey());
    pending.remove();
    finish();
    if (!result.ok) {
      input.value = text;
      if (result.status === 401 && !retried) {
        // The session expired: start a new one and send again, keeping the transcript.
        state.session = null;
        save();
        return submit(true);
      }
      showError(explain(result));
      input.focus();
      return;
    }
    const d = result.data;
    append({ id: d.message_id, role: 'visitor', text });
    const a = d.answer;
    if (a) {
      answers.delete(a.answer_id);
      append({ role: 'bot', text: a.text, answerId: a.answer_id, cites: (a.citations || []).length, fallback: !!a.fallback,
        escalated: !!(d.safeguarding && d.safeguarding.escalated), actions: d.suggested_actions || [] }, true);
      if (state.handoff && !d.handoff_active) { state.handoff = false; updateFooter(); }
    }
    if (d.handoff_active) startHandoff();
    else { pollDelay = POLL_IDLE; schedulePoll(POLL_IDLE); }
    save();
  };

  // ---------- enquiry form ----------
  const showEnquiry = () => {
    view = 'enquiry';
    const lastQuestion = [...state.messages].reverse().find((m) => m.role === 'visitor');
    const field = (id, labelText, control) => {
      const hint = h('span', { class: 'invalid', id: id + '-error', hidden: true });
      control.setAttribute('aria-describedby', id + '-error');
      return h('div', { class: 'field' }, h('label', { for: id, text: labelText }), control, hint);
    };
    const name = h('input', { type: 'text', id: 'comx-name', name: 'name', autocomplete: 'name', required: true, maxlength: '200' });
    const email = h('input', { type: 'email', id: 'comx-email', name: 'email', autocomplete: 'email', required: true, maxlength: '254' });
    const message = h('textarea', { id: 'comx-message', name: 'message', required: true, maxlength: '4000' });
    message.value = lastQuestion ? lastQuestion.text : '';
    const consent = h('input', { type: 'checkbox', id: 'comx-consent', name: 'consent', required: true });
    const consentError = h('span', { class: 'invalid', id: 'comx-consent-error', hidden: true });
    consent.setAttribute('aria-describedby', 'comx-consent-error');
    const status = h('p', { role: 'status' });
    const submitButton = h('button', { type: 'submit', class: 'primary' }, 'Send enquiry');
    const controls = { name, email, message, consent };
    const setInvalid = (fieldName, text) => {
      const control = controls[fieldName];
      if (!control) return false;
      control.setAttribute('aria-invalid', 'true');
      const hint = shadow.getElementById(control.id + '-error');
      hint.textContent = text;
      hint.hidden = false;
      return true;
    };
    const form = h('form', { novalidate: true, 'aria-labelledby': 'comx-enquiry-title', onsubmit: async (e) => {
      e.preventDefault();
      for (const c of Object.values(controls)) { c.removeAttribute('aria-invalid'); shadow.getElementById(c.id + '-error').hidden = true; }
      status.textContent = '';
      const problems = [];
      if (!name.value.trim()) problems.push(['name', 'Enter your name.']);
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.value.trim())) problems.push(['email', 'Enter an email address, like name@example.org.']);
      if (!message.value.trim()) problems.push(['message', 'Enter your message.']);
      if (!consent.checked) problems.push(['consent', 'Tick the box so we can contact you about this enquiry.']);
      if (problems.length) { problems.forEach(([f, t]) => setInvalid(f, t)); controls[problems[0][0]].focus(); return; }
      submitButton.disabled = true;
      status.textContent = 'Sending…';
      const body = { widget_key: widgetKey, name: name.value.trim(), email: email.value.trim(), message: message.value.trim(), consent: true };
      if (state.session) body.session_id = state.session.id;
      const result = await call('POST', '/enquiries', body, null, newKey());
      submitButton.disabled = false;
      if (!result.ok) {
        const f = result.error && result.error.details && result.error.details.field;
        status.textContent = f && setInvalid(f, result.error.message) ? 'Please correct the highlighted field.' : explain(result);
        return;
      }
      const done = h('div', { class: 'done', tabindex: '-1' }, h('p', { text: "Thank you. We've received your enquiry and will reply by email." }));
      form.replaceWith(done, back);
      done.focus();
    } },
    h('h3', { id: 'comx-enquiry-title', class: 'sr', text: 'Contact us' }),
    field('comx-name', 'Your name', name), field('comx-email', 'Email address', email), field('comx-message', 'Your message', message),
    h('div', { class: 'field' }, h('div', { class: 'check' }, consent, h('label', { for: 'comx-consent', text: 'I agree to be contacted about this enquiry.' })), consentError),
    h('div', { class: 'row' }, submitButton, h('button', { type: 'button', class: 'link', onclick: showChat }, 'Back to chat')),
    status);
    const back = h('button', { type: 'button', class: 'link', onclick: showChat }, 'Back to chat');
    enquiryView.replaceChildren(h('p', { text: 'Leave your details and a member of staff will get back to you.' }), form);
    setView();
    name.focus();
  };
  const showChat = () => { view = 'chat'; setView(); input.focus(); };
  const setView = () => {
    const chat = view === 'chat';
    scroller.hidden = !chat;
    composer.hidden = !chat;
    enquiryView.hidden = chat;
    updateFooter();
    showError('');
  };

  // ---------- open, close, focus ----------
  const focusables = () => [...panel.querySelectorAll('button,[href],input,textarea,select,[tabindex]:not([tabindex="-1"])')]
    .filter((el) => !el.disabled && el.getClientRects().length > 0);
  const fullScreen = () => matchMedia('(max-width:480px),(max-height:520px)').matches;
  const setOpen = async (value) => {
    open = value;
    panel.hidden = !value;
    launcher.hidden = value;
    launcher.setAttribute('aria-expanded', String(value));
    if (!value) { launcher.focus(); schedulePoll(pollDelay); return; }
    panel.setAttribute('aria-modal', String(fullScreen()));
    badge.hidden = true;
    setView();
    renderAll();
    if (view === 'chat') input.focus(); else (focusables()[0] || panel).focus();
    if (await ensureSession()) {
      await sync();
      pollDelay = state.handoff ? POLL_MIN : POLL_IDLE;
      schedulePoll(pollDelay);
    }
  };
  shadow.addEventListener('keydown', (e) => {
    if (!open) return;
    if (e.key === 'Escape') { e.preventDefault(); setOpen(false); return; }
    // Focus is kept inside only in the phone's full-screen mode, where nothing else is visible.
    if (e.key !== 'Tab' || !fullScreen()) return;
    const items = focusables();
    if (!items.length) return;
    const first = items[0], last = items[items.length - 1], active = shadow.activeElement;
    if (e.shiftKey && (active === first || !panel.contains(active))) { e.preventDefault(); last.focus(); }
    else if (!e.shiftKey && (active === last || !panel.contains(active))) { e.preventDefault(); first.focus(); }
  });
  // Full screen on a phone, focus that leaves the dialog (a screen reader jump) is brought back; on a desktop it may go.
  document.addEventListener('focusin', (e) => { if (open && fullScreen() && e.target !== host) (focusables()[0] || panel).focus(); });
  addEventListener('resize', () => { if (open) panel.setAttribute('aria-modal', String(fullScreen())); });

  // ---------- start ----------
  applyA11y(state.a11y);
  const start = async () => {
    // The launcher is shown themed from its first paint: from the config this tab last read, or once it is read.
    if (state.config) applyTheme(config.theme);
    const configLoad = call('GET', '/widget-config?widget_key=' + encodeURIComponent(widgetKey)).then((result) => {
      if (!result.ok) return;
      config = state.config = result.data;
      save();
      applyTheme(config.theme);
      if (open) renderAll(); else updateFooter();
    });
    if (!state.config) await Promise.race([configLoad, new Promise((r) => setTimeout(r, 1500))]);
    (document.body || document.documentElement).append(host);
    applyA11y(state.a11y);
    updateFooter();
    if (state.handoff && sessionValid()) schedulePoll(POLL_MIN);
  };
  if (document.body) start(); else document.addEventListener('DOMContentLoaded', start, { once: true });
})();
