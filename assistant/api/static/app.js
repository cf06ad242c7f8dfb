/* Kenes chat page: plain JS, no build step, no external resources.
 *
 * Every string that comes from the server is put into the page with textContent / text nodes
 * (never innerHTML), and links are only made from http(s) URLs.
 */
(() => {
  'use strict';

  // ---------------------------------------------------------------------------------------
  // UI strings (RU / KK)
  // ---------------------------------------------------------------------------------------
  const I18N = {
    ru: {
      app_title: 'Kenes — справочный ассистент',
      tagline: 'Реестр функций госорганов и законодательство РК',
      skip_to_input: 'Перейти к вопросу',
      nav_label: 'Разделы',
      nav_chat: 'Чат',
      nav_analyst: 'Аналитика',
      soon: 'скоро',
      lang_label: 'Язык интерфейса',
      new_chat: 'Новый диалог',
      logout: 'Выйти',
      disclaimer: 'Ответы носят справочный характер и не являются официальным правовым заключением.',
      log_label: 'Диалог',
      welcome_title: 'Чем могу помочь?',
      welcome_text:
        'Я отвечаю на вопросы по реестру функций государственных органов и нормативным актам и всегда указываю источники.',
      examples: 'Примеры вопросов',
      question_label: 'Ваш вопрос',
      placeholder: 'Задайте вопрос…',
      hint: 'Enter — отправить, Shift+Enter — новая строка',
      send: 'Отправить',
      you: 'Вы',
      assistant: 'Kenes',
      typing: 'Kenes готовит ответ…',
      sources: 'Источники',
      sources_nearest: 'Ближайшие источники',
      chip_label: 'Источник {n}',
      refused_tag: 'В источниках ответа нет',
      copy: 'Копировать',
      copy_label: 'Копировать ответ',
      copied: 'Скопировано',
      copy_failed: 'Не удалось скопировать',
      helpful: 'Полезный ответ',
      not_helpful: 'Бесполезный ответ',
      fb_thanks: 'Спасибо за отзыв!',
      fb_comment_label: 'Комментарий к оценке (необязательно)',
      fb_send: 'Отправить',
      fb_error: 'Не удалось отправить отзыв.',
      answered_in: 'Ответ за {s} с',
      panel_kicker: 'Источник',
      close: 'Закрыть',
      loading: 'Загрузка…',
      source_error: 'Не удалось загрузить источник.',
      kind_act: 'Нормативный акт',
      kind_registry: 'Реестр функций',
      repealed: 'утратил силу',
      repealed_banner: 'Акт утратил силу',
      meta_act: 'Акт',
      meta_article: 'Статья / пункт',
      meta_version: 'Редакция от',
      meta_status: 'Статус',
      meta_citation: 'Ссылка',
      official_text: 'Официальный текст',
      opens_new_tab: '(откроется в новой вкладке)',
      source_text: 'Текст источника',
      cited_fragment: 'Цитируемый фрагмент',
      text_lang: 'Язык текста:',
      registry_fields: 'Сведения реестра',
      f_function_id: 'Код функции',
      f_agency: 'Госорган',
      f_function_text: 'Функция',
      f_category: 'Категория',
      f_automatable: 'Автоматизируемая',
      f_automation_risk: 'Риск автоматизации',
      f_automation_rationale: 'Обоснование',
      f_legal_basis: 'Правовое основание',
      f_updated_on: 'Дата обновления',
      index_version: 'Версия индекса: {v}',
      index_unknown: 'Версия индекса: —',
      index_not_ready: 'Индекс не готов',
      model: 'Модель: {m}',
      login_title: 'Вход в Kenes',
      login_intro: 'Введите токен доступа, выданный администратором.',
      token_label: 'Токен доступа',
      login_button: 'Войти',
      login_checking: 'Проверка…',
      login_empty: 'Введите токен.',
      login_bad: 'Токен не принят. Проверьте его и попробуйте снова.',
      session_expired: 'Сеанс истёк или токен отозван — войдите снова.',
      err_title: 'Не удалось получить ответ',
      err_network: 'Сервер недоступен. Проверьте подключение и попробуйте ещё раз.',
      err_interrupted: 'Ответ прервался. Попробуйте задать вопрос ещё раз.',
      err_403: 'Недостаточно прав для этого действия.',
      err_429: 'Слишком много запросов. Подождите немного и повторите.',
      err_503: 'Сервис временно недоступен. Попробуйте позже.',
      err_generic: 'Произошла ошибка. Попробуйте ещё раз.',
    },
    kk: {
      app_title: 'Kenes — анықтамалық көмекші',
      tagline: 'Мемлекеттік органдар функцияларының тізілімі және ҚР заңнамасы',
      skip_to_input: 'Сұраққа өту',
      nav_label: 'Бөлімдер',
      nav_chat: 'Чат',
      nav_analyst: 'Талдау',
      soon: 'жақында',
      lang_label: 'Интерфейс тілі',
      new_chat: 'Жаңа диалог',
      logout: 'Шығу',
      disclaimer: 'Жауаптар анықтамалық сипатта болады және ресми құқықтық қорытынды болып табылмайды.',
      log_label: 'Диалог',
      welcome_title: 'Қалай көмектесе аламын?',
      welcome_text:
        'Мемлекеттік органдар функцияларының тізілімі мен нормативтік құқықтық актілер бойынша сұрақтарға жауап беремін және әрдайым дереккөздерін көрсетемін.',
      examples: 'Сұрақ үлгілері',
      question_label: 'Сіздің сұрағыңыз',
      placeholder: 'Сұрағыңызды жазыңыз…',
      hint: 'Enter — жіберу, Shift+Enter — жаңа жол',
      send: 'Жіберу',
      you: 'Сіз',
      assistant: 'Kenes',
      typing: 'Kenes жауап дайындап жатыр…',
      sources: 'Дереккөздер',
      sources_nearest: 'Ең жақын дереккөздер',
      chip_label: '{n}-дереккөз',
      refused_tag: 'Дереккөздерде жауап жоқ',
      copy: 'Көшіру',
      copy_label: 'Жауапты көшіру',
      copied: 'Көшірілді',
      copy_failed: 'Көшіру мүмкін болмады',
      helpful: 'Пайдалы жауап',
      not_helpful: 'Пайдасыз жауап',
      fb_thanks: 'Пікіріңізге рахмет!',
      fb_comment_label: 'Бағаға түсініктеме (міндетті емес)',
      fb_send: 'Жіберу',
      fb_error: 'Пікірді жіберу мүмкін болмады.',
      answered_in: 'Жауап {s} с ішінде',
      panel_kicker: 'Дереккөз',
      close: 'Жабу',
      loading: 'Жүктелуде…',
      source_error: 'Дереккөзді жүктеу мүмкін болмады.',
      kind_act: 'Нормативтік құқықтық акт',
      kind_registry: 'Функциялар тізілімі',
      repealed: 'күшін жойған',
      repealed_banner: 'Акт күшін жойған',
      meta_act: 'Акт',
      meta_article: 'Бап / тармақ',
      meta_version: 'Редакция күні',
      meta_status: 'Мәртебесі',
      meta_citation: 'Сілтеме',
      official_text: 'Ресми мәтін',
      opens_new_tab: '(жаңа қойындыда ашылады)',
      source_text: 'Дереккөз мәтіні',
      cited_fragment: 'Дәйексөз',
      text_lang: 'Мәтін тілі:',
      registry_fields: 'Тізілім мәліметтері',
      f_function_id: 'Функция коды',
      f_agency: 'Мемлекеттік орган',
      f_function_text: 'Функция',
      f_category: 'Санаты',
      f_automatable: 'Автоматтандыруға болады ма',
      f_automation_risk: 'Автоматтандыру тәуекелі',
      f_automation_rationale: 'Негіздеме',
      f_legal_basis: 'Құқықтық негіз',
      f_updated_on: 'Жаңартылған күні',
      index_version: 'Индекс нұсқасы: {v}',
      index_unknown: 'Индекс нұсқасы: —',
      index_not_ready: 'Индекс дайын емес',
      model: 'Модель: {m}',
      login_title: 'Kenes жүйесіне кіру',
      login_intro: 'Әкімші берген қолжетімділік токенін енгізіңіз.',
      token_label: 'Қолжетімділік токені',
      login_button: 'Кіру',
      login_checking: 'Тексерілуде…',
      login_empty: 'Токенді енгізіңіз.',
      login_bad: 'Токен қабылданбады. Тексеріп, қайталап көріңіз.',
      session_expired: 'Сеанс аяқталды немесе токен кері қайтарылды — қайта кіріңіз.',
      err_title: 'Жауап алу мүмкін болмады',
      err_network: 'Сервер қолжетімсіз. Қосылымды тексеріп, қайталап көріңіз.',
      err_interrupted: 'Жауап үзіліп қалды. Сұрақты қайта қойып көріңіз.',
      err_403: 'Бұл әрекетке құқығыңыз жеткіліксіз.',
      err_429: 'Сұраулар тым көп. Біраз күтіп, қайталаңыз.',
      err_503: 'Қызмет уақытша қолжетімсіз. Кейінірек қайталаңыз.',
      err_generic: 'Қате орын алды. Қайталап көріңіз.',
    },
  };

  const EXAMPLES = {
    ru: [
      'Кто обеспечивал работу проектного офиса программы «Рухани жаңғыру»?',
      'В какой срок нужно удалить незаконно размещённые персональные данные по требованию субъекта?',
      'Кто утверждает правила сбора и хранения биометрии граждан при оказании госуслуг?',
    ],
    kk: [
      'Мемлекеттік қызметтердің сапасын мемлекет атынан кім бақылайды?',
      'Мемлекеттік қызметті қандай жолдармен алуға болады?',
    ],
  };

  // Registry columns shown in the source panel, in this order (others are not shown).
  const REGISTRY_FIELDS = [
    'function_id', 'agency', 'function_text', 'category', 'automatable',
    'automation_risk', 'automation_rationale', 'legal_basis', 'updated_on',
  ];

  const LS_TOKEN = 'kenes.token';
  const LS_LANG = 'kenes.lang';

  // ---------------------------------------------------------------------------------------
  // State and small helpers
  // ---------------------------------------------------------------------------------------
  const state = {
    lang: initialLang(),
    token: storageGet(LS_TOKEN) || '',
    conversationId: null,
    streaming: false,
    abort: null,
    openTrigger: null,
    panelRequest: 0,
  };

  const $ = (id) => document.getElementById(id);
  const els = {
    log: $('log'), welcome: $('welcome'), examples: $('examples'), composer: $('composer'),
    question: $('question'), send: $('send'), newChat: $('new-chat'), panel: $('panel'),
    panelTitle: $('panel-title'), panelKicker: $('panel-kicker'), panelBody: $('panel-body'),
    panelClose: $('panel-close'), login: $('login'), loginForm: $('login-form'), token: $('token'),
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

  function t(key, args) {
    const dict = I18N[state.lang] || I18N.ru;
    let s = dict[key] ?? I18N.ru[key] ?? key;
    if (args) for (const [k, v] of Object.entries(args)) s = s.split(`{${k}}`).join(String(v));
    return s;
  }

  /** Tiny DOM builder. Text children become text nodes (always escaped). */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k === 'i18n') { el.dataset.i18n = v; el.textContent = t(v, attrs.args); }
      else if (k === 'i18nAria') { el.dataset.i18nAria = v; el.setAttribute('aria-label', t(v, attrs.args)); }
      else if (k === 'i18nTitle') { el.dataset.i18nTitle = v; el.title = t(v, attrs.args); }
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
    root.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n, args(el)); });
    root.querySelectorAll('[data-i18n-aria]').forEach((el) => el.setAttribute('aria-label', t(el.dataset.i18nAria, args(el))));
    root.querySelectorAll('[data-i18n-title]').forEach((el) => { el.title = t(el.dataset.i18nTitle, args(el)); });
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
    renderExamples();
  }

  function formatDate(s) {
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(s || ''));
    return m ? `${m[3]}.${m[2]}.${m[1]}` : String(s || '');
  }

  /** Server messages may be bilingual, 'Русский. / Қазақша.': keep the UI language's part. */
  function localizeMessage(message) {
    const text = String(message || '');
    const i = text.indexOf(' / ');
    if (i === -1) return text;
    return state.lang === 'kk' ? text.slice(i + 3) : text.slice(0, i);
  }

  function safeUrl(url) {
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

  async function api(path, { method = 'GET', body, token = state.token, signal, accept } = {}) {
    const headers = { Accept: accept || 'application/json', 'Accept-Language': state.lang };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res;
    try {
      res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
    } catch (e) {
      if (e && e.name === 'AbortError') throw e;
      throw new ApiError(0, 'network', t('err_network'));
    }
    if (!res.ok) {
      const err = await errorFrom(res);
      if (res.status === 401 && token === state.token) onUnauthorized();
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

  // ---------------------------------------------------------------------------------------
  // Login
  // ---------------------------------------------------------------------------------------
  function setInert(on) {
    for (const sel of ['.topbar', '.disclaimer', '#layout', '.footer', '.skip-link']) {
      const el = document.querySelector(sel);
      if (el) el.inert = on;
    }
  }

  function showLogin(message) {
    els.login.hidden = false;
    setInert(true);
    els.loginError.textContent = message || '';
    els.loginSubmit.disabled = false;
    els.loginSubmit.textContent = t('login_button');
    els.token.value = '';
    setTimeout(() => els.token.focus(), 0);
  }

  function hideLogin() {
    els.login.hidden = true;
    setInert(false);
  }

  function onUnauthorized() {
    state.token = '';
    storageSet(LS_TOKEN, null);
    els.userBox.hidden = true;
    showLogin(t('session_expired'));
  }

  function setUser(me) {
    els.userName.textContent = (me && (me.name || '')) || '';
    els.userName.title = me && me.role ? `${me.name || ''} (${me.role})` : '';
    els.userBox.hidden = false;
  }

  async function login(token) {
    const res = await api('/api/me', { token });
    return res.json();
  }

  els.loginForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const token = els.token.value.trim();
    if (!token) { els.loginError.textContent = t('login_empty'); els.token.focus(); return; }
    els.loginSubmit.disabled = true;
    els.loginSubmit.textContent = t('login_checking');
    els.loginError.textContent = '';
    try {
      const me = await login(token);
      state.token = token;
      storageSet(LS_TOKEN, token);
      setUser(me);
      hideLogin();
      els.question.focus();
    } catch (err) {
      els.loginError.textContent = err.status === 401 || err.status === 403 ? t('login_bad') : err.message;
      els.token.select();
      els.token.focus();
    } finally {
      els.loginSubmit.disabled = false;
      els.loginSubmit.textContent = t('login_button');
    }
  });

  els.logout.addEventListener('click', () => {
    state.token = '';
    storageSet(LS_TOKEN, null);
    els.userBox.hidden = true;
    resetConversation();
    showLogin('');
  });

  // ---------------------------------------------------------------------------------------
  // Conversation
  // ---------------------------------------------------------------------------------------
  function renderExamples() {
    els.examples.replaceChildren(...(EXAMPLES[state.lang] || EXAMPLES.ru).map((q) =>
      h('li', null, h('button', {
        type: 'button', class: 'example',
        onclick: () => { els.question.value = q; updateSend(); ask(q); },
      }, q))));
  }

  function nearBottom() {
    const l = els.log;
    return l.scrollHeight - l.scrollTop - l.clientHeight < 120;
  }
  function scrollToBottom(force) {
    if (force || nearBottom()) els.log.scrollTop = els.log.scrollHeight;
  }

  function setStreaming(on) {
    state.streaming = on;
    els.composer.setAttribute('aria-busy', String(on));
    updateSend();
  }

  function updateSend() {
    els.send.disabled = state.streaming || !els.question.value.trim();
  }

  function autosize() {
    const q = els.question;
    q.style.height = 'auto';
    q.style.height = `${Math.min(q.scrollHeight, 200)}px`;
  }

  function resetConversation() {
    if (state.abort) state.abort.abort();
    state.conversationId = null;
    els.log.querySelectorAll('.msg').forEach((m) => m.remove());
    els.welcome.hidden = false;
    closePanel(false);
    setStreaming(false);
  }

  function addUserMessage(text) {
    const msg = h('div', { class: 'msg msg-user' },
      h('p', { class: 'visually-hidden', i18n: 'you' }),
      h('div', { class: 'bubble', lang: '' }, text));
    els.log.append(msg);
    return msg;
  }

  function addAssistantMessage() {
    const answer = h('div', { class: 'answer', 'aria-live': 'polite' });
    const typing = h('div', { class: 'typing', role: 'status' },
      h('span', { class: 'dot' }), h('span', { class: 'dot' }), h('span', { class: 'dot' }),
      h('span', { class: 'typing-label', i18n: 'typing' }));
    const card = h('div', { class: 'card', 'aria-busy': 'true' }, typing, answer);
    const msg = h('article', { class: 'msg msg-assistant' }, h('p', { class: 'msg-who', i18n: 'assistant' }), card);
    els.log.append(msg);
    return { msg, card, answer, typing, citations: [], answerId: null };
  }

  async function ask(rawQuestion) {
    const question = String(rawQuestion || '').trim();
    if (!question || state.streaming || !state.token) return;
    els.welcome.hidden = true;
    els.question.value = '';
    autosize();
    addUserMessage(question);
    const m = addAssistantMessage();
    scrollToBottom(true);
    setStreaming(true);
    const controller = new AbortController();
    state.abort = controller;

    const body = { question };
    if (state.conversationId) body.conversation_id = state.conversationId;

    let streamed = '';
    let finished = false;
    try {
      const res = await api('/api/chat', { method: 'POST', body, signal: controller.signal, accept: 'text/event-stream' });
      const ctype = res.headers.get('content-type') || '';
      if (!ctype.includes('text/event-stream')) {
        // a plain JSON answer (e.g. a server without streaming): treat it as the final event
        const data = await res.json();
        renderFinal(m, data && typeof data.answer === 'object' ? data.answer : data);
        finished = true;
      } else {
        for await (const ev of sseEvents(res)) {
          const d = ev.data && typeof ev.data === 'object' ? ev.data : {};
          if (ev.event === 'meta') {
            if (d.conversation_id) state.conversationId = d.conversation_id;
            if (d.answer_id) m.answerId = d.answer_id;
          } else if (ev.event === 'token') {
            if (m.typing.isConnected) m.typing.remove();
            streamed += typeof d.text === 'string' ? d.text : '';
            m.answer.textContent = streamed;
            scrollToBottom();
          } else if (ev.event === 'citations') {
            m.citations = Array.isArray(d.citations) ? d.citations : [];
          } else if (ev.event === 'final') {
            renderFinal(m, d.answer && typeof d.answer === 'object' ? d.answer : d);
            finished = true;
          } else if (ev.event === 'error') {
            const e = d.error && typeof d.error === 'object' ? d.error : d;
            renderError(m, localizeMessage(e.message) || t('err_generic'), streamed);
            finished = true;
          }
        }
      }
      if (!finished) renderError(m, t('err_interrupted'), streamed);
    } catch (err) {
      if (err && err.name === 'AbortError') {
        m.msg.remove();
      } else {
        renderError(m, (err && err.message) || t('err_generic'), streamed);
        if (err && (err.status === 422 || err.status === 401) && !els.question.value) {
          els.question.value = question; // a rejected question (too long, or the session ended) is given back
          autosize();
          requestAnimationFrame(() => scrollToBottom(true));
        }
      }
    } finally {
      if (state.abort === controller) state.abort = null;
      m.card.setAttribute('aria-busy', 'false');
      if (m.typing.isConnected) m.typing.remove();
      setStreaming(false);
      scrollToBottom();
      if (!els.login.hidden) return;
      if (!window.matchMedia('(max-width: 760px)').matches) els.question.focus();
    }
  }

  function renderError(m, message, streamed) {
    m.card.classList.add('error-card');
    m.card.setAttribute('role', 'alert');
    m.answer.replaceChildren(
      h('strong', { i18n: 'err_title' }), '. ', message,
    );
    if (streamed) m.answer.append(h('p', { class: 'muted' }, streamed));
  }

  /** Answer text with [n] (or [n, m]) markers turned into citation chips. */
  function renderAnswerText(container, text, citations) {
    const byN = new Map(citations.map((c) => [Number(c.n), c]));
    const re = /\[(\d+(?:\s*[,;]\s*\d+)*)\]/g;
    const parts = [];
    let last = 0;
    let m;
    while ((m = re.exec(text)) !== null) {
      if (m.index > last) parts.push(text.slice(last, m.index));
      const nums = m[1].split(/\s*[,;]\s*/).map(Number);
      if (nums.every((n) => byN.has(n))) {
        for (const n of nums) parts.push(makeChip(byN.get(n)));
      } else {
        parts.push(m[0]);
      }
      last = re.lastIndex;
    }
    if (last < text.length) parts.push(text.slice(last));
    container.replaceChildren(...parts.map((p) => (typeof p === 'string' ? document.createTextNode(p) : p)));
  }

  function makeChip(c) {
    const chip = h('button', {
      type: 'button', class: 'chip', 'aria-controls': 'panel', 'aria-expanded': 'false',
      i18nAria: 'chip_label', args: { n: c.n }, title: c.title || c.citation || '',
      'data-citation': c.citation,
    }, String(c.n));
    chip.addEventListener('click', () => openSource(c, chip));
    return chip;
  }

  function renderFinal(m, a) {
    a = a || {};
    const citations = Array.isArray(a.citations) && a.citations.length ? a.citations : m.citations;
    const answerId = a.answer_id || m.answerId;
    if (m.typing.isConnected) m.typing.remove();
    m.card.setAttribute('aria-busy', 'false');
    if (a.lang === 'ru' || a.lang === 'kk') m.answer.lang = a.lang;

    if (a.refused) {
      m.answer.classList.add('refused');
      m.card.insertBefore(h('span', { class: 'tag', i18n: 'refused_tag' }), m.answer);
    }
    renderAnswerText(m.answer, String(a.answer || ''), citations);

    if (a.notice) {
      m.card.append(h('p', { class: 'notice', role: 'note' }, ICONS.warn(), h('span', null, String(a.notice))));
    }

    if (citations.length) {
      const items = citations.map((c) => {
        const sub = [];
        if (c.kind === 'act' && c.act_title) sub.push(c.act_title);
        if (c.kind === 'registry') sub.push(t('kind_registry'));
        const subEl = h('span', { class: 'source-sub' }, sub.join(' · '));
        if (c.version_date) {
          subEl.append(sub.length ? ' · ' : '', h('span', { i18n: 'meta_version' }), ` ${formatDate(c.version_date)}`);
        }
        const btn = h('button', {
          type: 'button', class: 'source-item', 'aria-controls': 'panel', 'aria-expanded': 'false',
          'data-citation': c.citation,
        },
        h('span', { class: 'chip', 'aria-hidden': 'true' }, String(c.n)),
        h('span', { class: 'source-text' },
          h('span', { class: 'source-title' }, c.title || c.citation,
            c.repealed ? h('span', { class: 'badge badge-repealed', i18n: 'repealed' }) : null),
          subEl));
        btn.addEventListener('click', () => openSource(c, btn));
        return h('li', null, btn);
      });
      m.card.append(h('section', { class: 'sources' }, h('h3', { i18n: a.refused ? 'sources_nearest' : 'sources' }), h('ol', null, items)));
    }

    m.card.append(buildActions(a, answerId, citations));
  }

  function buildActions(a, answerId, citations) {
    const status = h('span', { class: 'status-msg', role: 'status' });
    const flash = (key) => {
      status.dataset.i18n = key;
      status.textContent = t(key);
      clearTimeout(status._timer);
      status._timer = setTimeout(() => { status.textContent = ''; delete status.dataset.i18n; }, 2500);
    };
    const copyBtn = h('button', { type: 'button', class: 'act-btn copy-btn', i18nTitle: 'copy_label' },
      ICONS.copy(), h('span', { i18n: 'copy' }));
    copyBtn.addEventListener('click', async () => {
      const ok = await copyText(answerAsText(a, citations));
      flash(ok ? 'copied' : 'copy_failed');
    });
    const bar = h('div', { class: 'actions' }, copyBtn);

    if (answerId) {
      const up = h('button', { type: 'button', class: 'act-btn fb-up', 'aria-pressed': 'false', i18nAria: 'helpful', i18nTitle: 'helpful' }, ICONS.up());
      const down = h('button', { type: 'button', class: 'act-btn fb-down', 'aria-pressed': 'false', i18nAria: 'not_helpful', i18nTitle: 'not_helpful' }, ICONS.down());
      let form = null;
      const fb = { comment: '' }; // re-sent with a changed rating: the server keeps one row per answer
      const rate = async (rating) => {
        up.disabled = true; down.disabled = true;
        try {
          const body = { answer_id: answerId, rating };
          if (fb.comment) body.comment = fb.comment;
          await api('/api/feedback', { method: 'POST', body });
          up.setAttribute('aria-pressed', String(rating === 1));
          down.setAttribute('aria-pressed', String(rating === -1));
          flash('fb_thanks');
          if (!form) {
            form = buildFeedbackForm(answerId, () => (up.getAttribute('aria-pressed') === 'true' ? 1 : -1), fb, flash);
            bar.after(form);
          }
        } catch (err) {
          if (err.status !== 401) flash('fb_error');
        } finally {
          up.disabled = false; down.disabled = false;
        }
      };
      up.addEventListener('click', () => rate(1));
      down.addEventListener('click', () => rate(-1));
      bar.append(up, down);
    }
    bar.append(status);
    const total = a.timings && Number(a.timings.total_ms);
    if (total > 0) {
      const secs = (total / 1000).toFixed(1);
      bar.append(h('span', {
        class: 'timing', i18n: 'answered_in', args: { s: secs.replace('.', ',') },
        title: [a.model, a.mode, a.index_version].filter(Boolean).join(' · '),
      }));
    }
    return bar;
  }

  function buildFeedbackForm(answerId, currentRating, fb, flash) {
    const id = `fb-${Math.random().toString(36).slice(2)}`;
    const area = h('textarea', { id, rows: '1', maxlength: '2000' });
    const send = h('button', { type: 'submit', class: 'btn btn-ghost btn-small', i18n: 'fb_send' });
    const form = h('form', { class: 'feedback-form' }, h('label', { for: id, i18n: 'fb_comment_label' }), area, send);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const comment = area.value.trim();
      if (!comment) { area.focus(); return; }
      send.disabled = true;
      try {
        await api('/api/feedback', { method: 'POST', body: { answer_id: answerId, rating: currentRating(), comment } });
        fb.comment = comment;
        form.hidden = true;
        flash('fb_thanks');
      } catch (err) {
        send.disabled = false;
        if (err.status !== 401) flash('fb_error');
      }
    });
    return form;
  }

  function answerAsText(a, citations) {
    let text = String(a.answer || '');
    if (citations.length) {
      text += `\n\n${t('sources')}:\n`;
      text += citations.map((c) => {
        const bits = [c.title || c.citation];
        if (c.act_title && c.kind === 'act') bits.push(c.act_title);
        if (c.version_date) bits.push(`${t('meta_version')} ${formatDate(c.version_date)}`);
        if (c.repealed) bits.push(t('repealed'));
        const url = safeUrl(c.source_url);
        if (url) bits.push(url);
        return `[${c.n}] ${bits.join(' — ')}`;
      }).join('\n');
    }
    text += `\n\n${t('disclaimer')}`;
    return text;
  }

  async function copyText(text) {
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(text);
        return true;
      }
    } catch { /* fall back below */ }
    const ta = h('textarea', { class: 'visually-hidden', readonly: true });
    ta.value = text;
    document.body.append(ta);
    ta.select();
    let ok = false;
    try { ok = document.execCommand('copy'); } catch { ok = false; }
    ta.remove();
    return ok;
  }

  // ---------------------------------------------------------------------------------------
  // Source panel
  // ---------------------------------------------------------------------------------------
  const isNarrow = () => window.matchMedia('(max-width: 760px)').matches;

  function setTrigger(el) {
    if (state.openTrigger) state.openTrigger.setAttribute('aria-expanded', 'false');
    state.openTrigger = el;
    if (el) el.setAttribute('aria-expanded', 'true');
  }

  function closePanel(returnFocus = true) {
    if (els.panel.hidden) return;
    els.panel.hidden = true;
    els.panel.removeAttribute('role');
    els.panel.removeAttribute('aria-modal');
    state.panelRequest += 1;
    const trigger = state.openTrigger;
    setTrigger(null);
    if (returnFocus && trigger && trigger.isConnected) trigger.focus();
  }

  async function openSource(cit, trigger, textLang) {
    setTrigger(trigger);
    const lang = textLang || (cit.lang === 'kk' ? 'kk' : 'ru');
    const req = ++state.panelRequest;
    els.panel.hidden = false;
    if (isNarrow()) { els.panel.setAttribute('role', 'dialog'); els.panel.setAttribute('aria-modal', 'true'); }
    els.panelKicker.dataset.i18n = cit.kind === 'registry' ? 'kind_registry' : 'kind_act';
    els.panelKicker.textContent = t(els.panelKicker.dataset.i18n);
    els.panelTitle.textContent = cit.title || cit.citation;
    els.panelTitle.title = els.panelTitle.textContent;
    els.panelBody.replaceChildren(h('p', { class: 'muted', i18n: 'loading' }));
    els.panel.focus({ preventScroll: true });

    let src;
    try {
      const res = await api(`/api/sources/${encodeURIComponent(cit.citation)}?lang=${encodeURIComponent(lang)}`);
      src = await res.json();
    } catch (err) {
      if (req !== state.panelRequest) return;
      els.panelBody.replaceChildren(h('p', { class: 'notice error-card', role: 'alert' },
        h('span', { i18n: 'source_error' }), ' ', (err && err.message) || ''));
      return;
    }
    if (req !== state.panelRequest) return;
    renderSource(cit, src || {}, lang, trigger);
  }

  function renderSource(cit, src, lang, trigger) {
    const kind = src.kind || cit.kind;
    els.panelTitle.textContent = src.title || cit.title || cit.citation;
    els.panelTitle.title = els.panelTitle.textContent;
    const body = [];
    const repealed = Boolean(src.repealed ?? cit.repealed);
    const status = src.status || cit.status || '';

    if (repealed) {
      body.push(h('div', { class: 'repealed-banner', role: 'note' }, ICONS.warn(),
        h('div', null, h('strong', { i18n: 'repealed_banner' }), status ? h('div', null, status) : null)));
    }

    const meta = [];
    const row = (key, value) => { if (value) meta.push(h('dt', { i18n: key }), h('dd', null, value)); };
    if (kind === 'act') {
      row('meta_act', src.act_title || cit.act_title);
      row('meta_article', src.article);
    }
    const version = src.version_date || cit.version_date;
    if (version) row('meta_version', formatDate(version));
    if (status && !repealed) row('meta_status', status);
    else if (repealed) {
      meta.push(h('dt', { i18n: 'meta_status' }), h('dd', null, h('span', { class: 'badge badge-repealed', i18n: 'repealed' })));
    }
    row('meta_citation', src.citation || cit.citation);
    if (meta.length) body.push(h('dl', { class: 'meta' }, meta));

    const url = safeUrl(src.source_url || cit.source_url);
    if (url) {
      body.push(h('a', { class: 'official-link', href: url, target: '_blank', rel: 'noopener noreferrer' },
        ICONS.external(), h('span', { i18n: 'official_text' }),
        h('span', { class: 'visually-hidden', i18n: 'opens_new_tab' })));
    }

    if (kind === 'act') {
      const switcher = h('div', { class: 'panel-lang' }, h('span', { i18n: 'text_lang' }));
      const group = h('div', { class: 'lang-switch', role: 'group' });
      for (const l of ['ru', 'kk']) {
        const b = h('button', { type: 'button', class: 'lang-btn', 'aria-pressed': String(l === lang), lang: l },
          l === 'ru' ? 'РУС' : 'ҚАЗ');
        b.addEventListener('click', () => { if (l !== lang) openSource(cit, trigger, l); });
        group.append(b);
      }
      switcher.append(group);
      body.push(switcher);
    }

    const reg = src.registry && typeof src.registry === 'object' ? src.registry : null;
    if (kind === 'registry' && reg) {
      const rows = REGISTRY_FIELDS.filter((k) => reg[k] !== undefined && reg[k] !== null && String(reg[k]) !== '')
        .map((k) => h('tr', null, h('th', { scope: 'row', i18n: `f_${k}` }), h('td', null, String(reg[k]))));
      if (rows.length) {
        body.push(h('h3', { class: 'section-title', i18n: 'registry_fields' }));
        body.push(h('table', { class: 'reg-table' }, h('tbody', null, rows)));
      }
    }

    const text = String(src.text || '');
    let firstMark = null;
    if (text) {
      const quote = (src.lang || lang) === (cit.lang || 'ru') ? String(cit.quote || '') : '';
      const ranges = quote ? findQuoteRanges(text, quote) : [];
      const textEl = h('div', { class: 'source-body', lang: src.lang || lang });
      let pos = 0;
      for (const [s, e] of ranges) {
        if (s > pos) textEl.append(document.createTextNode(text.slice(pos, s)));
        const mark = h('mark', null, text.slice(s, e));
        if (!firstMark) firstMark = mark;
        textEl.append(mark);
        pos = e;
      }
      if (pos < text.length) textEl.append(document.createTextNode(text.slice(pos)));
      if (quote && !ranges.length) {
        body.push(h('h3', { class: 'section-title', i18n: 'cited_fragment' }), h('blockquote', { class: 'quote-fallback' }, quote));
      }
      body.push(h('h3', { class: 'section-title', i18n: 'source_text' }), textEl);
    }
    els.panelBody.replaceChildren(...body);
    els.panelBody.scrollTop = 0;
    // an article: the cited passage scrolled to the middle; a registry row is cited whole and its
    // table (at the top) is the view of it
    if (firstMark && kind !== 'registry') {
      requestAnimationFrame(() => firstMark.scrollIntoView({ block: 'center', behavior: 'auto' }));
    }
  }

  // Character-level normalisation that keeps a 1:1 map back to the original text.
  const CHAR_MAP = { 'ё': 'е', '«': '"', '»': '"', '“': '"', '”': '"', '„': '"', '’': "'", '‘': "'", '–': '-', '—': '-', '‑': '-', '\u00a0': ' ' };
  function normalize(text) {
    const chars = [];
    const map = [];
    let prevSpace = true;
    for (let i = 0; i < text.length; i++) {
      let ch = text[i].toLowerCase();
      ch = CHAR_MAP[ch] || ch;
      if (/\s/.test(ch)) {
        if (prevSpace) continue;
        ch = ' ';
        prevSpace = true;
      } else {
        prevSpace = false;
      }
      chars.push(ch);
      map.push(i);
    }
    while (chars.length && chars[chars.length - 1] === ' ') { chars.pop(); map.pop(); }
    return { s: chars.join(''), map };
  }

  /** Where the cited passage is in the source text: [[start, end], …] in original offsets. */
  function findQuoteRanges(text, quote) {
    const hay = normalize(text);
    const ranges = [];
    const toRange = (idx, len) => [hay.map[idx], hay.map[idx + len - 1] + 1];
    const fragments = quote.split(/\s*(?:…|\.\.\.)\s*/)
      .map((f) => normalize(f).s.replace(/^[\s"'.,;:()-]+|[\s"'.,;:-]+$/g, ''))
      .filter((f) => f.length >= 6);
    for (const frag of fragments) {
      let idx = hay.s.indexOf(frag);
      if (idx !== -1) { ranges.push(toRange(idx, frag.length)); continue; }
      // fuzzy: the longest run of consecutive words of the fragment that occurs in the text
      const words = frag.split(' ');
      let found = null;
      for (let len = words.length - 1; len >= 4 && !found; len--) {
        for (let start = 0; start + len <= words.length; start++) {
          const piece = words.slice(start, start + len).join(' ');
          idx = hay.s.indexOf(piece);
          if (idx !== -1) { found = toRange(idx, piece.length); break; }
        }
      }
      if (found) ranges.push(found);
    }
    ranges.sort((a, b) => a[0] - b[0]);
    const merged = [];
    for (const r of ranges) {
      const prev = merged[merged.length - 1];
      if (prev && r[0] <= prev[1]) prev[1] = Math.max(prev[1], r[1]);
      else merged.push([...r]);
    }
    return merged;
  }

  els.panelClose.addEventListener('click', () => closePanel(true));
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !els.panel.hidden && els.login.hidden) closePanel(true);
  });

  // ---------------------------------------------------------------------------------------
  // Composer, language, footer, start-up
  // ---------------------------------------------------------------------------------------
  els.composer.addEventListener('submit', (e) => {
    e.preventDefault();
    ask(els.question.value);
  });
  els.question.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      if (!state.streaming) ask(els.question.value);
    }
  });
  els.question.addEventListener('input', () => { autosize(); updateSend(); });
  els.newChat.addEventListener('click', () => { resetConversation(); els.question.focus(); });
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

  async function start() {
    setLang(state.lang);
    updateSend();
    loadFooter();
    if (!state.token) { showLogin(''); return; }
    try {
      setUser(await login(state.token));
      hideLogin();
      els.question.focus();
    } catch (err) {
      if (err.status === 401 || err.status === 403) {
        state.token = '';
        storageSet(LS_TOKEN, null);
        showLogin(t('login_bad'));
      } else {
        showLogin(err.message);
      }
    }
  }

  start();
})();
