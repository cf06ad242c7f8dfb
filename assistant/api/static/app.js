/* Kenes chat page, shared part: strings, DOM and API helpers, the source panel. Plain JS, no
 * build step, no external resources; answer.js and chat.js (loaded after) build on KenesApp.
 *
 * Every string that comes from the server is put into the page with textContent / text nodes
 * (never innerHTML), and links are only made from http(s) URLs.
 */
(() => {
  'use strict';

  // ---------------------------------------------------------------------------------------
  // UI strings (RU / KK)
  // ---------------------------------------------------------------------------------------
  const I18N = window.KenesI18N.strings;


  const LS_LANG = 'kenes.lang';
  const LS_CONVERSATION = 'kenes.conversation'; // which conversation to reopen (never a credential)
  const md = window.KenesMarkdown;

  // ---------------------------------------------------------------------------------------
  // State and small helpers
  // ---------------------------------------------------------------------------------------
  const state = {
    lang: initialLang(),
    me: null,
    conversationId: null,
    streaming: false,
    abort: null,
    editing: null, // position of the question being edited
    openTrigger: null,
    panelRequest: 0,
  };

  const $ = (id) => document.getElementById(id);
  const els = {
    log: $('log'), welcome: $('welcome'), examples: $('examples'), composer: $('composer'),
    question: $('question'), send: $('send'), newChat: $('new-chat'), panel: $('panel'),
    panelTitle: $('panel-title'), panelKicker: $('panel-kicker'), panelBody: $('panel-body'),
    panelClose: $('panel-close'), login: $('login'), loginForm: $('login-form'),
    username: $('username'), password: $('password'), stop: $('stop'), editing: $('editing'),
    editCancel: $('edit-cancel'), navAnalyst: $('nav-analyst'), history: $('history'),
    historyToggle: $('history-toggle'), layout: $('layout'),
    loginError: $('login-error'), loginSubmit: $('login-submit'), userBox: $('user-box'),
    userName: $('user-name'), logout: $('logout'), footerIndex: $('footer-index'), footerModel: $('footer-model'),
  };

  function storageGet(key) {
    try { return window.localStorage.getItem(key); } catch { return null; }
  }
  function storageSet(key, value) {
    try {
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, value);
    } catch { /* private mode: keep in memory only */ }
  }

  function initialLang() {
    const saved = storageGet(LS_LANG);
    if (saved === 'ru' || saved === 'kk') return saved;
    const langs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ''];
    for (const l of langs) {
      const code = String(l).toLowerCase();
      if (code.startsWith('kk') || code.startsWith('kz')) return 'kk';
      if (code.startsWith('ru')) return 'ru';
    }
    return 'ru';
  }

  function t(key, args, lang) {
    const dict = I18N[lang || renderLang || state.lang] || I18N.ru;
    let s = dict[key] ?? I18N.ru[key] ?? key;
    if (args) for (const [k, v] of Object.entries(args)) s = s.split(`{${k}}`).join(String(v));
    return s;
  }

  // A Kazakh answer keeps Kazakh labels whatever the UI language: its card carries
  // data-ui-lang="kk", and labels built for it are made while renderLang is set.
  let renderLang = null;
  function withLang(lang, fn) {
    const saved = renderLang;
    renderLang = lang;
    try { return fn(); } finally { renderLang = saved; }
  }
  const pinned = (el) => { const c = el.closest('[data-ui-lang]'); return c ? c.dataset.uiLang : undefined; };

  /** Tiny DOM builder. Text children become text nodes (always escaped). */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k === 'i18n') { el.dataset.i18n = v; el.textContent = t(v, attrs.args, renderLang); }
      else if (k === 'i18nAria') { el.dataset.i18nAria = v; el.setAttribute('aria-label', t(v, attrs.args, renderLang)); }
      else if (k === 'i18nTitle') { el.dataset.i18nTitle = v; el.title = t(v, attrs.args, renderLang); }
      else if (k === 'args') el.dataset.i18nArgs = JSON.stringify(v);
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  function svgIcon(paths) {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 20 20');
    svg.setAttribute('class', 'icon');
    svg.setAttribute('aria-hidden', 'true');
    for (const d of paths) {
      const p = document.createElementNS(ns, 'path');
      for (const [k, v] of Object.entries(d)) p.setAttribute(k, v);
      svg.append(p);
    }
    return svg;
  }
  const ICONS = {
    copy: () => svgIcon([
      { d: 'M7 7h9v10H7z', fill: 'none', stroke: 'currentColor', 'stroke-width': '1.6', 'stroke-linejoin': 'round' },
      { d: 'M4 13V3h9', fill: 'none', stroke: 'currentColor', 'stroke-width': '1.6', 'stroke-linejoin': 'round' },
    ]),
    up: () => svgIcon([{
      d: 'M6 9l3.2-6c1.3 0 2.1 1 1.8 2.3L10.4 8H15c1 0 1.7.9 1.5 1.9l-1.2 5.6c-.2.9-.9 1.5-1.8 1.5H6V9zM3 9h2v8H3z',
      fill: 'none', stroke: 'currentColor', 'stroke-width': '1.5', 'stroke-linejoin': 'round',
    }]),
    down: () => svgIcon([{
      d: 'M14 11l-3.2 6c-1.3 0-2.1-1-1.8-2.3l.6-2.7H5c-1 0-1.7-.9-1.5-1.9l1.2-5.6C4.9 3.6 5.6 3 6.5 3H14v8zM17 11h-2V3h2z',
      fill: 'none', stroke: 'currentColor', 'stroke-width': '1.5', 'stroke-linejoin': 'round',
    }]),
    external: () => svgIcon([{
      d: 'M11 3h6v6M17 3l-8 8M15 12v5H3V5h5', fill: 'none', stroke: 'currentColor', 'stroke-width': '1.6',
      'stroke-linecap': 'round', 'stroke-linejoin': 'round',
    }]),
    warn: () => svgIcon([
      { d: 'M10 2.5l8 14.5H2z', fill: 'none', stroke: 'currentColor', 'stroke-width': '1.5', 'stroke-linejoin': 'round' },
      { d: 'M10 8v4.2M10 14.5v.1', stroke: 'currentColor', 'stroke-width': '1.8', 'stroke-linecap': 'round' },
    ]),
  };

  function applyI18n(root = document) {
    const args = (el) => { try { return el.dataset.i18nArgs ? JSON.parse(el.dataset.i18nArgs) : undefined; } catch { return undefined; } };
    root.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n, args(el), pinned(el)); });
    root.querySelectorAll('[data-i18n-aria]').forEach((el) => el.setAttribute('aria-label', t(el.dataset.i18nAria, args(el), pinned(el))));
    root.querySelectorAll('[data-i18n-title]').forEach((el) => { el.title = t(el.dataset.i18nTitle, args(el), pinned(el)); });
    root.querySelectorAll('[data-i18n-placeholder]').forEach((el) => { el.placeholder = t(el.dataset.i18nPlaceholder); });
  }

  function setLang(lang) {
    if (lang !== 'ru' && lang !== 'kk') return;
    state.lang = lang;
    storageSet(LS_LANG, lang);
    document.documentElement.lang = lang;
    document.title = t('app_title');
    document.querySelectorAll('.lang-btn').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.lang === lang)));
    applyI18n();
    langHooks.forEach((fn) => fn(lang));
  }
  const langHooks = [];
  const authHooks = { unauthorized: () => {} }; // chat.js shows the sign-in form

  const formatDate = md.formatDate;

  /** Server messages may be bilingual, 'Русский. / Қазақша.': keep the UI language's part. */
  function localizeMessage(message) {
    const text = String(message || '');
    const i = text.indexOf(' / ');
    if (i === -1) return text;
    return state.lang === 'kk' ? text.slice(i + 3) : text.slice(0, i);
  }

  /** An absolute http(s) URL or null: an empty or relative value must never become a link
   *  (resolved against the page it would lead back to the chat itself). */
  function safeUrl(url) {
    if (!/^https?:\/\//i.test(String(url || '').trim())) return null;
    try {
      const u = new URL(String(url), window.location.href);
      return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
    } catch { return null; }
  }

  // ---------------------------------------------------------------------------------------
  // API
  // ---------------------------------------------------------------------------------------
  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  async function errorFrom(res) {
    let code = '';
    let message = '';
    try {
      const body = await res.json();
      const e = body && (body.error || body);
      if (e && typeof e === 'object') {
        code = String(e.code || '');
        message = localizeMessage(typeof e.message === 'string' ? e.message : (typeof e.detail === 'string' ? e.detail : ''));
      }
    } catch { /* not JSON */ }
    if (!message) {
      message = res.status === 403 ? t('err_403') : res.status === 429 ? t('err_429')
        : res.status === 503 ? t('err_503') : t('err_generic');
    }
    return new ApiError(res.status, code, message);
  }

  /** Same-origin requests carry the HttpOnly session cookie; the page never sees a credential. */
  async function api(path, { method = 'GET', body, signal, accept, quiet = false } = {}) {
    const headers = { Accept: accept || 'application/json', 'Accept-Language': state.lang };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res;
    try {
      res = await fetch(path, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal, credentials: 'same-origin',
      });
    } catch (e) {
      if (e && e.name === 'AbortError') throw e;
      throw new ApiError(0, 'network', t('err_network'));
    }
    if (!res.ok) {
      const err = await errorFrom(res);
      if (res.status === 401 && !quiet) authHooks.unauthorized();
      throw err;
    }
    return res;
  }

  /** Parse a text/event-stream body into {event, data} objects (fetch + ReadableStream). */
  async function* sseEvents(res) {
    const reader = res.body.getReader();
    const decoder = new TextDecoder('utf-8');
    let buf = '';
    let event = '';
    let data = [];
    const dispatch = function* () {
      if (data.length) {
        const raw = data.join('\n');
        let parsed;
        try { parsed = JSON.parse(raw); } catch { parsed = raw; }
        yield { event: event || 'message', data: parsed };
      }
      event = '';
      data = [];
    };
    const feedLine = function* (line) {
      if (line === '') { yield* dispatch(); return; }
      if (line.startsWith(':')) return;
      const i = line.indexOf(':');
      const field = i === -1 ? line : line.slice(0, i);
      let value = i === -1 ? '' : line.slice(i + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    };
    for (;;) {
      const { value, done } = await reader.read();
      buf += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let m;
      // a lone '\r' at the very end may be half of '\r\n': wait for more unless the stream is done
      const re = /\r\n|\n|\r(?!$)/g;
      let last = 0;
      while ((m = re.exec(buf)) !== null) {
        yield* feedLine(buf.slice(last, m.index));
        last = m.index + m[0].length;
      }
      buf = buf.slice(last);
      if (done) {
        if (buf.replace(/\r$/, '')) yield* feedLine(buf.replace(/\r$/, ''));
        yield* dispatch();
        return;
      }
    }
  }

  document.querySelectorAll('.lang-btn[data-lang]').forEach((b) => b.addEventListener('click', () => setLang(b.dataset.lang)));

  async function loadFooter() {
    try {
      const res = await fetch('/ready', { headers: { Accept: 'application/json' } });
      const info = await res.json();
      if (info && info.index_version) {
        els.footerIndex.dataset.i18n = 'index_version';
        els.footerIndex.dataset.i18nArgs = JSON.stringify({ v: info.index_version });
      } else {
        els.footerIndex.dataset.i18n = 'index_not_ready';
        delete els.footerIndex.dataset.i18nArgs;
      }
      const model = [info && info.model, info && info.llm_mode && info.llm_mode !== info.model ? `(${info.llm_mode})` : '']
        .filter(Boolean).join(' ');
      if (model) {
        els.footerModel.dataset.i18n = 'model';
        els.footerModel.dataset.i18nArgs = JSON.stringify({ m: model });
      }
      applyI18n(els.footerIndex.parentElement);
    } catch { /* footer stays at "—" */ }
  }

  // answer.js and chat.js (loaded after this file) build on these
  window.KenesApp = {
    state, els, t, h, ICONS, withLang, applyI18n, setLang, langHooks, storageGet, storageSet, localizeMessage,
    formatDate, safeUrl, api, sseEvents, loadFooter, LS_CONVERSATION, authHooks,
    I18N,
  };

})();
