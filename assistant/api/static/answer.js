/* An answer card: the answer as safe Markdown with citation chips, its sources, notices and
 * actions (copy, regenerate, 👍/👎 with a comment). Loaded after app.js; used by chat.js.
 */
(() => {
  'use strict';

  const {
    t, h, ICONS, withLang, formatDate, safeUrl, api, openSource,
  } = window.KenesApp;
  const md = window.KenesMarkdown;
  const hooks = { regenerate: null }; // set by chat.js

  /** 'Ответить заново' under an answer (chat.js decides which answers may be redone). */
  function regenerateButton(m) {
    const b = h('button', {
      type: 'button', class: 'act-btn regen-btn', i18nTitle: 'regenerate',
      onclick: () => { if (hooks.regenerate) hooks.regenerate(m); },
    }, svgRegen(), h('span', { i18n: 'regenerate' }));
    return b;
  }

  function svgRegen() {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 20 20');
    svg.setAttribute('class', 'icon');
    svg.setAttribute('aria-hidden', 'true');
    const p = document.createElementNS(ns, 'path');
    p.setAttribute('d', 'M16 10a6 6 0 1 1-1.8-4.3M16 3v4h-4');
    p.setAttribute('fill', 'none');
    p.setAttribute('stroke', 'currentColor');
    p.setAttribute('stroke-width', '1.7');
    p.setAttribute('stroke-linecap', 'round');
    svg.append(p);
    return svg;
  }

  /** The answer as safe Markdown, with [n] (or [n, m]) markers turned into citation chips. */
  function renderAnswerText(container, text, citations, uiLang) {
    const byN = new Map(citations.map((c) => [Number(c.n), c]));
    const chip = (n) => (byN.has(n) ? makeChip({ ...byN.get(n), uiLang }) : null);
    container.replaceChildren(...md.render(text, chip));
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
    // a Kazakh answer keeps Kazakh labels (sources, statuses, actions) in a Russian UI too
    const kk = a.lang === 'kk';
    if (kk) m.card.dataset.uiLang = 'kk';
    withLang(kk ? 'kk' : null, () => renderCard(m, a, kk ? 'kk' : null));
  }

  function renderCard(m, a, uiLang) {
    const citations = Array.isArray(a.citations) && a.citations.length ? a.citations : m.citations;
    const answerId = a.answer_id || m.answerId;
    if (m.typing.isConnected) m.typing.remove();
    m.card.setAttribute('aria-busy', 'false');
    if (a.lang === 'ru' || a.lang === 'kk') m.answer.lang = a.lang;

    if (a.refused) {
      m.answer.classList.add('refused');
      m.card.insertBefore(h('span', { class: 'tag', i18n: 'refused_tag' }), m.answer);
    }
    renderAnswerText(m.answer, String(a.answer || ''), citations, uiLang);

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
        btn.addEventListener('click', () => openSource({ ...c, uiLang }, btn));
        return h('li', null, btn);
      });
      m.card.append(h('section', { class: 'sources' }, h('h3', { i18n: a.refused ? 'sources_nearest' : 'sources' }), h('ol', null, items)));
      // agency names and function texts come from the registry, which is kept in Russian only
      if (uiLang === 'kk' && citations.some((c) => c.kind === 'registry')) {
        m.card.append(h('p', { class: 'ru-only', role: 'note', i18n: 'registry_ru_only' }));
      }
    }

    m.card.append(buildActions(a, answerId, citations, m));
  }

  function buildActions(a, answerId, citations, m) {
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
    const bar = h('div', { class: 'actions' }, copyBtn, regenerateButton(m));

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
    let text = md.plain(String(a.answer || ''));
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


  window.KenesAnswer = { renderFinal, renderAnswerText, regenerateButton, copyText, hooks };
})();
