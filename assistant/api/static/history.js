/* The side list of past conversations: search by text, open, rename (inline), delete.
 * Built by app.js with its helpers: KenesHistory.create({api, h, t, onOpen, onDeleted}).
 * Titles are user text: put in with text nodes only, like everything else on the page.
 */
(() => {
  'use strict';

  function formatDay(iso) {
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return '';
    const p = (n) => String(n).padStart(2, '0');
    return `${p(d.getDate())}.${p(d.getMonth() + 1)}.${d.getFullYear()}`;
  }

  function create({ api, h, t, onOpen, onDeleted }) {
    const $ = (id) => document.getElementById(id);
    const list = $('history-list');
    const empty = $('history-empty');
    const search = $('history-q');
    const state = { current: null, items: [], query: '', request: 0 };

    async function refresh() {
      const req = ++state.request;
      const q = state.query.trim();
      let items;
      try {
        const res = await api(`/api/conversations${q ? `?q=${encodeURIComponent(q)}` : ''}`);
        items = await res.json();
      } catch {
        return; // the list stays as it was; the chat itself shows errors
      }
      if (req !== state.request) return;
      state.items = Array.isArray(items) ? items : [];
      render();
    }

    function render() {
      list.replaceChildren(...state.items.map(item));
      const none = !state.items.length;
      empty.hidden = !none;
      if (none) {
        empty.dataset.i18n = state.query.trim() ? 'history_none' : 'history_empty';
        empty.textContent = t(empty.dataset.i18n);
      }
    }

    function item(c) {
      const current = c.id === state.current;
      const open = h('button', {
        type: 'button', class: 'conv-open', 'aria-current': current ? 'true' : null, 'data-id': c.id,
        onclick: () => onOpen(c.id),
      },
      h('span', { class: 'conv-title' }, c.title),
      c.snippet ? h('span', { class: 'conv-snippet' }, c.snippet) : null,
      h('span', { class: 'conv-date' }, formatDay(c.updated)));
      const rename = h('button', {
        type: 'button', class: 'btn-icon conv-rename', i18nAria: 'rename', i18nTitle: 'rename',
      }, '✎');
      const del = h('button', {
        type: 'button', class: 'btn-icon conv-delete', i18nAria: 'delete', i18nTitle: 'delete',
      }, '✕');
      const li = h('li', { class: `conv${current ? ' current' : ''}` }, open, rename, del);
      rename.addEventListener('click', () => startRename(li, c, open));
      del.addEventListener('click', async () => {
        if (!window.confirm(t('delete_confirm', { t: c.title }))) return;
        try {
          await api(`/api/conversations/${encodeURIComponent(c.id)}`, { method: 'DELETE' });
        } catch { return; }
        if (c.id === state.current) onDeleted(c.id);
        await refresh();
        search.focus();
      });
      return li;
    }

    function startRename(li, c, open) {
      const input = h('input', { type: 'text', class: 'conv-input', maxlength: '200', i18nAria: 'rename_label' });
      input.value = c.title;
      open.replaceWith(input);
      input.focus();
      input.select();
      let done = false;
      const finish = async (save) => {
        if (done) return;
        done = true;
        const title = input.value.trim();
        if (save && title && title !== c.title) {
          try {
            await api(`/api/conversations/${encodeURIComponent(c.id)}`, { method: 'PATCH', body: { title } });
            c.title = title;
          } catch { /* keep the old title */ }
        }
        render();
        const again = list.querySelector(`.conv-open[data-id="${CSS.escape(c.id)}"]`);
        if (again) again.focus();
      };
      input.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') { e.preventDefault(); finish(true); }
        if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); finish(false); }
      });
      input.addEventListener('blur', () => finish(true));
    }

    let timer = null;
    search.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => { state.query = search.value; refresh(); }, 250);
    });

    return {
      refresh,
      setCurrent(id) { state.current = id; render(); },
      clear() { state.items = []; state.current = null; render(); },
    };
  }

  window.KenesHistory = { create };
})();
