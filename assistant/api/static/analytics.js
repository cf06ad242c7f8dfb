/* Kenes analyst page: registry counts, charts, groups, positions and the assessment assistant.
 * Plain JS, no build step, no external resources. Server strings go in with textContent only.
 * Signed in like the chat page (the HttpOnly session cookie); charts and exports are fetched
 * and shown as blob: URLs. Switching the language re-renders everything from the last data.
 */
(() => {
  'use strict';

  const LS_LANG = 'kenes.lang';
  const AUT = ['да', 'частично', 'нет'];
  const RISKS = ['низкий', 'средний', 'высокий'];
  const MIX_CLASS = { да: 'm-yes', частично: 'm-part', нет: 'm-no' };
  const GROUPS_SHOWN = 25;

  const I18N = {
    ru: {
      tagline: 'Аналитика реестра функций госорганов', nav_chat: 'Чат', nav_analyst: 'Аналитика', logout: 'Выйти',
      disclaimer: 'Оценки автоматизируемости в демонстрационном реестре — иллюстративная рубрика, а не официальная оценка. Группы и предложения — материал для проверки аналитиком.',
      summary_title: 'Сводка: разрез × автоматизируемость × риск', by: 'Разрез', by_agency: 'по органам',
      by_category: 'по категориям', by_act: 'по актам', automatable: 'Автоматизируемо', risk: 'Риск', all: 'все',
      charts_title: 'Диаграммы', chart_automatable: 'Автоматизируемость', chart_risk: 'Риск автоматизации',
      chart_heatmap: 'Категория × риск', groups_title: 'Группы однотипных функций',
      groups_lead: 'Функции разных органов, похожие по тексту (одинаковый вид работы). Порядок — размер группы × доля автоматизируемых («частично» считается за половину). Под названием — типичная формулировка (медоид).',
      positions_title: 'Должности', assess_title: 'Помощник оценки',
      assess_lead: 'Вставьте текст новой или неоценённой функции: Kenes предложит категорию, автоматизируемость и риск по прозрачной рубрике и покажет самые похожие оценённые функции. Это предложение — решение принимает человек.',
      assess_label: 'Текст функции', assess_button: 'Предложить оценку', login_title: 'Вход в Kenes',
      login_intro: 'Войдите с именем и паролем аналитика или администратора.', username_label: 'Имя пользователя', password_label: 'Пароль', login_button: 'Войти',
      col_total: 'всего', col_share: 'доля', col_risk: 'риск', total: 'Итого', source: 'Источник: {s}; функций: {n}',
      export: 'Выгрузить:', functions: 'функций', agencies: 'органов', groups_count: 'групп: {n}, в них функций: {c} из {r}',
      members: 'Состав группы', proposal_flag: 'Предложение — требует подтверждения человеком',
      category: 'Категория', automatable_v: 'Автоматизируемо', risk_v: 'Риск', neighbours: 'Похожие оценённые функции',
      similarity: 'сходство', empty_text: 'Введите текст функции.', forbidden: 'Страница доступна только аналитикам и администраторам.',
      bad_token: 'Неверное имя или пароль.', to_chat: 'Перейти в чат', lang_label: 'Язык интерфейса', nav_label: 'Разделы',
      v_да: 'да', v_частично: 'частично', v_нет: 'нет', v_низкий: 'низкий', v_средний: 'средний', v_высокий: 'высокий', ru_only: '',
      x_summary: 'Сводка', x_breakdown: 'Орган×категория×оценка', x_heatmap: 'Категория×риск', x_groups: 'Группы', x_group_members: 'Состав групп', x_positions: 'Должности',
      alt_automatable: 'Автоматизируемость по разрезу', alt_risk: 'Риск по разрезу', alt_heatmap: 'Категория × риск', error: 'Не удалось загрузить данные.', loading: 'Загрузка…',
      caveat: 'Оговорка', problems: 'Проверьте данные о должностях:', position: 'должность',
      col_agency: 'орган', col_category: 'категория', col_act: 'акт', show_all: 'Показать все группы ({n})',
    },
    kk: {
      tagline: 'Мемлекеттік органдар функциялары тізілімінің талдауы', nav_chat: 'Чат', nav_analyst: 'Талдау', logout: 'Шығу',
      disclaimer: 'Демонстрациялық тізілімдегі автоматтандыру бағалары — ресми бағалау емес, көрнекі рубрика. Топтар мен ұсыныстарды талдаушы тексереді.',
      summary_title: 'Жиынтық: қима × автоматтандыру × тәуекел', by: 'Қима', by_agency: 'органдар бойынша',
      by_category: 'санаттар бойынша', by_act: 'актілер бойынша', automatable: 'Автоматтандыруға болады', risk: 'Тәуекел',
      all: 'барлығы', charts_title: 'Диаграммалар', chart_automatable: 'Автоматтандыру', chart_risk: 'Тәуекел',
      chart_heatmap: 'Санат × тәуекел', groups_title: 'Біртектес функциялар топтары',
      groups_lead: 'Әртүрлі органдардың мәтіні ұқсас функциялары. Реті — топ көлемі × автоматтандырылатын үлес.',
      positions_title: 'Лауазымдар', assess_title: 'Бағалау көмекшісі',
      assess_lead: 'Жаңа функция мәтінін енгізіңіз: Kenes санатты, автоматтандыруды және тәуекелді ұсынады. Шешімді адам қабылдайды.',
      assess_label: 'Функция мәтіні', assess_button: 'Бағалауды ұсыну', login_title: 'Kenes-ке кіру',
      login_intro: 'Талдаушы немесе әкімші атымен және құпиясөзімен кіріңіз.', username_label: 'Пайдаланушы аты', password_label: 'Құпиясөз', login_button: 'Кіру',
      col_total: 'барлығы', col_share: 'үлес', col_risk: 'тәуекел', total: 'Жиыны', source: 'Дереккөз: {s}; функциялар: {n}',
      export: 'Жүктеу:', functions: 'функциялар', agencies: 'органдар', groups_count: 'топтар: {n}, функциялар: {c} / {r}',
      members: 'Топ құрамы', proposal_flag: 'Ұсыныс — адамның растауын қажет етеді',
      category: 'Санат', automatable_v: 'Автоматтандыру', risk_v: 'Тәуекел', neighbours: 'Ұқсас бағаланған функциялар',
      similarity: 'ұқсастық', empty_text: 'Функция мәтінін енгізіңіз.', forbidden: 'Бет тек талдаушылар мен әкімшілерге қолжетімді.',
      bad_token: 'Аты немесе құпиясөзі қате.', to_chat: 'Чатқа өту', lang_label: 'Интерфейс тілі', nav_label: 'Бөлімдер',
      v_да: 'иә', v_частично: 'ішінара', v_нет: 'жоқ', v_низкий: 'төмен', v_средний: 'орташа', v_высокий: 'жоғары',
      ru_only: 'Тізілім мәндері (органдар, санаттар, функциялар) тек орыс тілінде жүргізіледі.',
      x_summary: 'Жиынтық', x_breakdown: 'Орган×санат×баға', x_heatmap: 'Санат×тәуекел', x_groups: 'Топтар', x_group_members: 'Топ құрамы', x_positions: 'Лауазымдар',
      alt_automatable: 'Қима бойынша автоматтандыру', alt_risk: 'Қима бойынша тәуекел', alt_heatmap: 'Санат × тәуекел', error: 'Деректерді жүктеу мүмкін болмады.', loading: 'Жүктелуде…',
      caveat: 'Ескерту', problems: 'Лауазымдар туралы деректерді тексеріңіз:', position: 'лауазым',
      col_agency: 'орган', col_category: 'санат', col_act: 'акт', show_all: 'Барлық топтар ({n})',
    },
  };

  const $ = (id) => document.getElementById(id);
  const store = {
    get: (k) => { try { return localStorage.getItem(k); } catch { return null; } },
    set: (k, v) => { try { if (v === null) localStorage.removeItem(k); else localStorage.setItem(k, v); } catch { /* private mode */ } },
  };
  const state = { lang: store.get(LS_LANG) === 'kk' ? 'kk' : 'ru', blobs: [], data: {} };
  const v = (value) => t(`v_${value}`); // registry scale values in the UI language

  function t(key, args) {
    let s = (I18N[state.lang] || I18N.ru)[key] ?? I18N.ru[key] ?? key;
    if (args) for (const [k, v] of Object.entries(args)) s = s.split(`{${k}}`).join(String(v));
    return s;
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') node.className = v; else if (k === 'text') node.textContent = v; else node.setAttribute(k, v);
    }
    for (const c of children) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
    return node;
  }

  function applyLang() {
    document.documentElement.lang = state.lang;
    document.querySelectorAll('[data-i18n]').forEach((n) => { n.textContent = t(n.dataset.i18n); });
    document.querySelectorAll('[data-i18n-aria]').forEach((n) => n.setAttribute('aria-label', t(n.dataset.i18nAria)));
    document.querySelectorAll('[data-i18n-alt]').forEach((n) => { n.alt = t(n.dataset.i18nAlt); });
    document.querySelectorAll('[data-v]').forEach((n) => { n.textContent = v(n.dataset.v); });
    $('ru-only').textContent = t('ru_only');
    $('ru-only').hidden = state.lang !== 'kk';
    document.querySelectorAll('.lang-btn').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.lang === state.lang)));
  }

  class ApiError extends Error { constructor(status, message) { super(message); this.status = status; } }

  async function api(path, { method = 'GET', body, quiet = false } = {}) {
    const headers = { 'Accept-Language': state.lang };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin',
    });
    if (!res.ok) {
      let message = '';
      try { message = (await res.json()).error.message; } catch { /* not JSON */ }
      if (message.includes(' / ')) message = message.split(' / ')[state.lang === 'kk' ? 1 : 0];
      if (res.status === 401 && !quiet) showLogin('');
      throw new ApiError(res.status, res.status === 403 ? t('forbidden') : message || t('error'));
    }
    return res;
  }

  function params() {
    const p = new URLSearchParams({ by: $('by').value });
    if ($('automatable').value) p.set('automatable', $('automatable').value);
    if ($('risk').value) p.set('risk', $('risk').value);
    return p;
  }

  function pageError(message) {
    $('page-error').textContent = message || '';
    $('page-error').hidden = !message;
  }

  // --- summary -------------------------------------------------------------------------------
  function pctCell(n, total) {
    const td = el('td', {}, String(n));
    if (total) td.append(el('span', { class: 'pct', text: `${Math.round((100 * n) / total)}%` }));
    return td;
  }

  function renderSummary(data) {
    state.data.summary = data;
    const s = data.summary;
    $('source').textContent = t('source', { s: data.source, n: data.rows });
    const table = $('summary-table');
    table.replaceChildren();
    const head = el('tr', {}, el('th', { scope: 'col', text: t(`col_${s.by}`) }), el('th', { scope: 'col', text: t('col_total') }),
      el('th', { scope: 'col', text: t('col_share') }));
    AUT.forEach((a) => head.append(el('th', { scope: 'col', text: v(a) })));
    RISKS.forEach((r) => head.append(el('th', { scope: 'col', text: `${t('col_risk')}: ${v(r)}` })));
    table.append(el('thead', {}, head));
    const body = el('tbody');
    const line = (l, isTotal) => {
      const tr = el('tr', isTotal ? { class: 'total' } : {}, el('td', { text: isTotal ? t('total') : l.key }),
        el('td', { text: String(l.total) }), el('td', { text: `${(100 * l.share_of_all).toFixed(1)}%` }));
      AUT.forEach((v) => tr.append(pctCell(l.automatable[v], l.total)));
      RISKS.forEach((v) => tr.append(pctCell(l.risk[v], l.total)));
      body.append(tr);
    };
    s.lines.forEach((l) => line(l, false));
    line(s.totals, true);
    table.append(body);
  }

  // --- charts --------------------------------------------------------------------------------
  async function loadCharts() {
    const box = $('charts');
    const request = (state.chartRequest = (state.chartRequest || 0) + 1);
    box.dataset.state = 'loading';
    const urls = await Promise.all(['automatable', 'risk', 'heatmap'].map(async (name) => {
      const res = await api(`/api/analytics/chart/${name}.png?${params()}`);
      return [name, URL.createObjectURL(await res.blob())];
    }));
    if (request !== state.chartRequest) { urls.forEach(([, u]) => URL.revokeObjectURL(u)); return; } // a newer filter won
    state.blobs.forEach((u) => URL.revokeObjectURL(u));
    state.blobs = urls.map(([, u]) => u);
    await Promise.all(urls.map(([name, url]) => new Promise((resolve) => {
      const img = $(`chart-${name}`);
      img.onload = img.onerror = resolve;
      img.src = url;
    })));
    box.dataset.state = 'ready';
  }

  // --- groups --------------------------------------------------------------------------------
  function mixBar(counts, size) {
    const bar = el('span', { class: 'mix', 'aria-hidden': 'true' });
    AUT.forEach((v) => { if (counts[v]) bar.append(el('span', { class: MIX_CLASS[v], style: `width:${(100 * counts[v]) / size}%` })); });
    return bar;
  }

  function renderGroups(data) {
    state.data.groups = data;
    $('groups-count').textContent = t('groups_count', { n: data.count, c: data.covered, r: data.rows });
    const box = $('groups');
    box.replaceChildren();
    data.groups.forEach((g, i) => {
      const mix = AUT.filter((a) => g.automatable[a]).map((a) => `${v(a)}: ${g.automatable[a]}`).join(', ');
      const summary = el('summary', {},
        el('span', { class: 'group-id', text: g.id }),
        el('span', { class: 'group-label', text: g.label }),
        el('span', { class: 'group-meta', text: `${t('functions')}: ${g.size} · ${t('agencies')}: ${g.n_agencies} · ${mix}` }),
        mixBar(g.automatable, g.size),
        el('span', { class: 'group-medoid', text: `«${g.representative.function_text}» (${g.representative.function_id})` }));
      const rows = el('tbody');
      for (const m of g.members) {
        rows.append(el('tr', {}, el('td', { text: m.function_id }), el('td', { text: m.agency }), el('td', { text: m.function_text }),
          el('td', { text: m.category }), el('td', { text: `${m.automatable} / ${m.risk}` }), el('td', { text: m.similarity.toFixed(2) })));
      }
      const body = el('div', { class: 'group-body' }, el('div', { class: 'an-table-wrap' }, el('table', { class: 'an-table' }, rows)));
      const details = el('details', { class: 'group', 'data-group': g.id }, summary, body);
      details.hidden = i >= GROUPS_SHOWN; // a long list would bury the assessment form below it
      box.append(details);
    });
    if (data.groups.length > GROUPS_SHOWN) {
      const more = el('button', { type: 'button', class: 'btn btn-ghost btn-small', id: 'groups-more', text: t('show_all', { n: data.groups.length }) });
      more.addEventListener('click', () => { box.querySelectorAll('details.group').forEach((d) => { d.hidden = false; }); more.remove(); });
      box.append(more);
    }
  }

  // --- positions -----------------------------------------------------------------------------
  function renderPositions(data) {
    state.data.positions = data;
    const box = $('positions');
    box.replaceChildren(el('p', { class: 'an-note', text: data.message }));
    if (!data.available) { $('positions-exports').hidden = true; return; }
    $('positions-exports').hidden = false;
    box.append(el('p', { class: 'lead', text: `${t('caveat')}: ${data.caveat}` }));
    if (data.problems.length) {
      box.append(el('p', { class: 'an-problems', text: t('problems') }), el('ul', { class: 'an-problems' }, ...data.problems.map((p) => el('li', { text: p }))));
    }
    const head = el('tr', {}, el('th', { text: t('position') }), el('th', { text: t('col_total') }), ...AUT.map((a) => el('th', { text: v(a) })),
      ...RISKS.map((r) => el('th', { text: `${t('col_risk')}: ${v(r)}` })));
    const body = el('tbody');
    for (const p of data.positions) {
      body.append(el('tr', {}, el('td', { text: p.position }), el('td', { text: String(p.functions) }),
        ...AUT.map((v) => pctCell(p.automatable[v], p.functions)), ...RISKS.map((v) => pctCell(p.risk[v], p.functions))));
    }
    box.append(el('div', { class: 'an-table-wrap' }, el('table', { class: 'an-table' }, el('thead', {}, head), body)));
  }

  // --- exports -------------------------------------------------------------------------------
  function exportLinks(container, views) {
    container.replaceChildren(el('span', { class: 'muted', text: t('export') }));
    for (const view of views) {
      for (const fmt of ['csv', 'xlsx']) {
        const a = el('a', { href: '#', class: 'btn btn-ghost btn-small', 'data-view': view, 'data-format': fmt, text: `${t(`x_${view}`)} ${fmt.toUpperCase()}` });
        a.addEventListener('click', (e) => { e.preventDefault(); download(view, fmt).catch((err) => pageError(err.message)); });
        container.append(a);
      }
    }
  }

  async function download(view, fmt) {
    const p = params();
    p.set('view', view);
    p.set('format', fmt);
    const res = await api(`/api/analytics/export?${p}`);
    const url = URL.createObjectURL(await res.blob());
    const a = el('a', { href: url, download: `kenes-${view}.${fmt}` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  // --- assessment ----------------------------------------------------------------------------
  function renderProposal(p, scroll) {
    state.data.proposal = p;
    const dl = el('dl', {}, el('dt', { text: t('category') }), el('dd', { text: p.proposed_category }),
      el('dt', { text: t('automatable_v') }), el('dd', { text: v(p.proposed_automatable) }),
      el('dt', { text: t('risk_v') }), el('dd', { text: v(p.proposed_risk) }));
    const box = el('div', { class: 'proposal', 'data-status': p.status },
      el('span', { class: 'proposal-flag', text: t('proposal_flag') }), dl, el('p', { text: p.rationale }));
    if (p.neighbours.length) {
      const rows = el('tbody');
      for (const n of p.neighbours) {
        rows.append(el('tr', {}, el('td', { text: n.function_id }), el('td', { text: n.function_text }),
          el('td', { text: `${n.category} / ${v(n.automatable)} / ${v(n.risk)}` }), el('td', { text: `${t('similarity')} ${n.similarity.toFixed(2)}` })));
      }
      box.append(el('p', { text: t('neighbours') }), el('div', { class: 'an-table-wrap' }, el('table', { class: 'an-table neighbours' }, rows)));
    }
    $('assess-result').replaceChildren(box);
    // the proposal lands below the form: bring it into view (and to a screen reader's focus)
    if (scroll) {
      const reduce = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
      box.scrollIntoView({ block: 'start', behavior: reduce ? 'auto' : 'smooth' });
    }
  }

  async function assess(e) {
    e.preventDefault();
    const text = $('assess-text').value.trim();
    $('assess-error').textContent = '';
    if (!text) { $('assess-error').textContent = t('empty_text'); return; }
    $('assess-submit').disabled = true;
    try {
      const res = await api('/api/analytics/assess', { method: 'POST', body: { function_text: text } });
      renderProposal(await res.json(), true);
    } catch (err) {
      $('assess-error').textContent = err.message;
    } finally {
      $('assess-submit').disabled = false;
    }
  }

  // --- loading, login ------------------------------------------------------------------------
  async function loadSummary() {
    const res = await api(`/api/analytics/summary?${params()}`);
    renderSummary(await res.json());
  }

  async function loadAll() {
    pageError('');
    const jobs = [
      loadSummary(), loadCharts(),
      api('/api/analytics/groups').then((r) => r.json()).then(renderGroups),
      api('/api/analytics/positions').then((r) => r.json()).then(renderPositions),
    ];
    const results = await Promise.allSettled(jobs);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) pageError(failed.reason.message);
  }

  function showLogin(message) {
    $('login').hidden = false;
    $('main').inert = true;
    $('login-error').textContent = message || '';
    $('username').focus();
  }

  function renderExports() {
    exportLinks($('summary-exports'), ['summary', 'breakdown', 'heatmap']);
    exportLinks($('groups-exports'), ['groups', 'group_members']);
    exportLinks($('positions-exports'), ['positions']);
  }

  /** A language switch: every table, header and label again, from the data already loaded. */
  function rerender() {
    applyLang();
    renderExports();
    const d = state.data;
    if (d.summary) renderSummary(d.summary);
    if (d.groups) renderGroups(d.groups);
    if (d.positions) renderPositions(d.positions);
    if (d.proposal) renderProposal(d.proposal, false);
  }

  async function start(me) {
    $('login').hidden = true;
    $('main').inert = false;
    $('user-box').hidden = false;
    $('user-name').textContent = me.name;
    const analyst = me.role === 'analyst' || me.role === 'admin';
    // a plain user gets a plain message, not empty cards with broken chart placeholders
    document.querySelectorAll('.an-card').forEach((c) => { c.hidden = !analyst; });
    $('nav-analyst').hidden = !analyst;
    $('forbidden').hidden = analyst;
    if (analyst) await loadAll();
  }

  function init() {
    applyLang();
    renderExports();
    document.querySelectorAll('.lang-btn').forEach((b) => b.addEventListener('click', () => {
      state.lang = b.dataset.lang;
      store.set(LS_LANG, state.lang);
      rerender();
    }));
    $('filters').addEventListener('change', () => {
      Promise.all([loadSummary(), loadCharts()]).then(() => pageError('')).catch((err) => pageError(err.message));
    });
    $('assess-form').addEventListener('submit', assess);
    $('login-form').addEventListener('submit', async (e) => {
      e.preventDefault();
      const username = $('username').value.trim();
      const password = $('password').value;
      if (!username || !password) return;
      try {
        const res = await api('/api/auth/login', { method: 'POST', body: { username, password }, quiet: true });
        await start(await res.json());
      } catch (err) {
        $('login-error').textContent = err.status === 401 || err.status === 422 ? t('bad_token') : err.message;
      }
    });
    $('logout').addEventListener('click', async () => {
      try { await api('/api/auth/logout', { method: 'POST', quiet: true }); } catch { /* signed out anyway */ }
      $('user-box').hidden = true;
      showLogin('');
    });
    api('/api/me', { quiet: true }).then((r) => r.json()).then(start).catch((err) => {
      if (err.status === 401) showLogin(''); else pageError(err.message);
    });
  }

  document.addEventListener('DOMContentLoaded', init);
})();
