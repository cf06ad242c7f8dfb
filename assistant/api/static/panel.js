/* The source panel: the whole article or registry row behind a citation, the cited passage
 * highlighted and scrolled to, ru/kk text switch, repealed banner, official link. Loaded after
 * app.js, before answer.js and chat.js (which open and close it through KenesApp).
 */
(() => {
  'use strict';

  const App = window.KenesApp;
  const { state, els, t, h, ICONS, withLang, formatDate, safeUrl, api, I18N } = App;

  // Registry columns shown in the source panel, in this order (others are not shown).
  const REGISTRY_FIELDS = [
    'function_id', 'agency', 'function_text', 'category', 'automatable',
    'automation_risk', 'automation_rationale', 'legal_basis', 'updated_on',
  ];

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
    // the source of a Kazakh answer is labelled in Kazakh whatever the UI language
    if (cit.uiLang === 'kk') els.panel.dataset.uiLang = 'kk';
    else delete els.panel.dataset.uiLang;
    els.panelKicker.dataset.i18n = cit.kind === 'registry' ? 'kind_registry' : 'kind_act';
    els.panelKicker.textContent = t(els.panelKicker.dataset.i18n, undefined, cit.uiLang === 'kk' ? 'kk' : undefined);
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
    // labels follow the UI, or Kazakh for a source of a Kazakh answer
    const ui = cit.uiLang === 'kk' ? 'kk' : state.lang;
    withLang(ui, () => renderSource(cit, src || {}, lang, trigger, ui));
  }

  // registry values exist in Russian only; the Kazakh UI shows its own words for the scales
  const TRANSLATED_FIELDS = new Set(['automatable', 'automation_risk']);

  function renderSource(cit, src, lang, trigger, ui) {
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
      const value = (k) => {
        const v = String(reg[k]);
        const key = `v_${v.toLowerCase()}`;
        return ui === 'kk' && TRANSLATED_FIELDS.has(k) && I18N.kk[key] ? I18N.kk[key] : v;
      };
      const rows = REGISTRY_FIELDS.filter((k) => reg[k] !== undefined && reg[k] !== null && String(reg[k]) !== '')
        .map((k) => h('tr', null, h('th', { scope: 'row', i18n: `f_${k}` }), h('td', { lang: ui === 'kk' && !TRANSLATED_FIELDS.has(k) ? 'ru' : null }, value(k))));
      if (rows.length) {
        body.push(h('h3', { class: 'section-title', i18n: 'registry_fields' }));
        if (ui === 'kk') body.push(h('p', { class: 'ru-only', lang: 'kk', role: 'note', i18n: 'registry_ru_only' }));
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

  App.openSource = openSource;
  App.closePanel = closePanel;
})();
