/* The chat flow: sign-in (session cookie), asking with a streamed answer, stop, regenerate,
 * edit and resend, retry after an error, conversations restored from the server, keyboard.
 * Loaded last; builds on window.KenesApp (app.js), KenesAnswer (answer.js), KenesHistory.
 */
(() => {
  'use strict';

  const App = window.KenesApp;
  const { state, els, t, h, api, sseEvents, localizeMessage, storageGet, storageSet, closePanel } = App;
  const { renderFinal, regenerateButton, hooks: answerHooks } = window.KenesAnswer;
  const md = window.KenesMarkdown;
  const EXAMPLES = window.KenesI18N.examples;
  const isNarrow = () => window.matchMedia('(max-width: 760px)').matches;

  /** The exchanges on screen, in order: {question, position, userEl, m}. `position` is the
   *  question's place in the stored conversation (null until the server said so). */
  let turns = [];
  let stopRequested = false;

  const history = window.KenesHistory.create({
    api, h, t,
    onOpen: (id) => { if (!state.streaming) openConversation(id); closeDrawer(); },
    onDeleted: () => resetConversation(),
  });

  const auth = window.KenesAuth.create({
    onSignedIn: async () => {
      history.refresh();
      const saved = storageGet(App.LS_CONVERSATION);
      if (saved) await openConversation(saved, { quiet: true });
      if (!isNarrow()) els.question.focus();
    },
    onSignedOut: () => {
      resetConversation();
      storageSet(App.LS_CONVERSATION, null);
      history.clear();
    },
  });


  // ---------------------------------------------------------------------------------------
  // Messages
  // ---------------------------------------------------------------------------------------
  function renderExamples() {
    els.examples.replaceChildren(...(EXAMPLES[state.lang] || EXAMPLES.ru).map((q) =>
      h('li', null, h('button', {
        type: 'button', class: 'example',
        onclick: () => { els.question.value = q; updateSend(); ask(q); },
      }, q))));
  }
  App.langHooks.push(renderExamples);

  const nearBottom = () => els.log.scrollHeight - els.log.scrollTop - els.log.clientHeight < 120;
  function scrollToBottom(force) {
    if (force || nearBottom()) els.log.scrollTop = els.log.scrollHeight;
  }

  function setStreaming(on) {
    state.streaming = on;
    els.composer.setAttribute('aria-busy', String(on));
    els.send.hidden = on;
    els.stop.hidden = !on;
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

  function setConversation(id) {
    state.conversationId = id;
    storageSet(App.LS_CONVERSATION, id);
    history.setCurrent(id);
  }

  function resetConversation() {
    if (state.abort) { stopRequested = true; state.abort.abort(); }
    state.conversationId = null;
    storageSet(App.LS_CONVERSATION, null);
    history.setCurrent(null);
    clearLog();
    setEditing(null);
    closePanel(false);
    setStreaming(false);
  }

  function clearLog() {
    turns = [];
    els.log.querySelectorAll('.msg').forEach((m) => m.remove());
    els.welcome.hidden = false;
  }

  function addTurn(question, position) {
    els.welcome.hidden = true;
    const turn = { question, position, userEl: null, m: null };
    const edit = h('button', {
      type: 'button', class: 'btn-icon edit-btn', i18nAria: 'edit', i18nTitle: 'edit',
      onclick: () => startEdit(turn),
    }, '✎');
    turn.userEl = h('div', { class: 'msg msg-user' },
      h('p', { class: 'visually-hidden', i18n: 'you' }),
      h('div', { class: 'bubble', lang: '' }, question), edit);
    els.log.append(turn.userEl);
    turn.m = addAssistantMessage();
    turns.push(turn);
    return turn;
  }

  function addAssistantMessage() {
    const answer = h('div', { class: 'answer', 'aria-live': 'polite' });
    const typing = h('div', { class: 'typing', role: 'status' },
      h('span', { class: 'dot' }), h('span', { class: 'dot' }), h('span', { class: 'dot' }),
      h('span', { class: 'typing-label', i18n: 'typing' }));
    const card = h('div', { class: 'card', 'aria-busy': 'true' }, typing, answer);
    const msg = h('article', { class: 'msg msg-assistant' }, h('h2', { class: 'msg-who', i18n: 'assistant' }), card);
    els.log.append(msg);
    return { msg, card, answer, typing, draftNote: null, citations: [], answerId: null };
  }

  /** Take a turn and everything after it off the screen (it is about to be asked again). */
  function dropFrom(turn) {
    const i = turns.indexOf(turn);
    if (i === -1) return;
    for (const x of turns.slice(i)) { x.userEl.remove(); x.m.msg.remove(); }
    turns = turns.slice(0, i);
  }

  function renderError(turn, message, streamed) {
    const { m } = turn;
    m.card.classList.add('error-card');
    m.card.setAttribute('role', 'alert');
    m.answer.replaceChildren(h('strong', { i18n: 'err_title' }), '. ', message);
    if (streamed) m.answer.append(h('p', { class: 'muted' }, streamed));
    const retry = h('button', { type: 'button', class: 'btn btn-ghost btn-small retry-btn', i18n: 'retry' });
    retry.addEventListener('click', () => redo(turn, turn.question));
    m.card.append(h('div', { class: 'actions' }, retry));
  }

  function renderStopped(turn, streamed) {
    const { m } = turn;
    m.card.classList.add('stopped');
    m.card.insertBefore(h('span', { class: 'tag', i18n: 'stopped' }), m.answer);
    m.answer.replaceChildren(...md.render(streamed || '…'));
    m.card.append(h('div', { class: 'actions' }, regenerateButton(m)));
  }

  function undraft(m) {
    if (m.draftNote) { m.draftNote.remove(); m.draftNote = null; }
    m.answer.classList.remove('draft');
  }

  function finishCard(m) {
    m.card.setAttribute('aria-busy', 'false');
    if (m.typing.isConnected) m.typing.remove();
    undraft(m);
  }

  // ---------------------------------------------------------------------------------------
  // Asking, stop, regenerate, edit, retry
  // ---------------------------------------------------------------------------------------
  async function ask(rawQuestion, replace) {
    const question = String(rawQuestion || '').trim();
    if (!question || state.streaming || !state.me) return;
    // an edit (or a failed question sent again) replaces that turn and what followed it
    const target = replace || state.editing;
    let replaceFrom = null;
    if (target) {
      replaceFrom = target.position;
      dropFrom(target);
      setEditing(null);
    }
    els.question.value = '';
    autosize();
    const turn = addTurn(question, null);
    const { m } = turn;
    scrollToBottom(true);
    setStreaming(true);
    stopRequested = false;
    const controller = new AbortController();
    state.abort = controller;

    const body = { question };
    if (state.conversationId) body.conversation_id = state.conversationId;
    if (replaceFrom !== null && replaceFrom !== undefined) body.replace_from = replaceFrom;

    let streamed = '';
    let finished = false;
    try {
      const res = await api('/api/chat', { method: 'POST', body, signal: controller.signal, accept: 'text/event-stream' });
      for await (const ev of sseEvents(res)) {
        const d = ev.data && typeof ev.data === 'object' ? ev.data : {};
        if (ev.event === 'meta') {
          if (d.conversation_id && d.conversation_id !== state.conversationId) setConversation(d.conversation_id);
          if (d.answer_id) m.answerId = d.answer_id;
          if (Number.isInteger(d.position)) turn.position = d.position;
          history.refresh();
        } else if (ev.event === 'token') {
          if (m.typing.isConnected) m.typing.remove();
          if (!m.draftNote) {
            // the model's words are a draft until the final answer: a summary the citation check
            // rejects, or one that leaves out the law's fact, gives way to the law's own sentence
            m.draftNote = h('p', { class: 'draft-note', i18n: 'drafting' });
            m.card.insertBefore(m.draftNote, m.answer);
            m.answer.classList.add('draft');
          }
          streamed += typeof d.text === 'string' ? d.text : '';
          m.answer.textContent = streamed;
          scrollToBottom();
        } else if (ev.event === 'citations') {
          m.citations = Array.isArray(d.citations) ? d.citations : [];
        } else if (ev.event === 'final') {
          undraft(m);
          renderFinal(m, d.answer && typeof d.answer === 'object' ? d.answer : d);
          finished = true;
        } else if (ev.event === 'error') {
          const e = d.error && typeof d.error === 'object' ? d.error : d;
          failed(turn, localizeMessage(e.message) || t('err_generic'), streamed);
          finished = true;
        }
      }
      if (!finished) failed(turn, t('err_interrupted'), streamed);
    } catch (err) {
      if (err && err.name === 'AbortError') {
        // closing the stream is the stop signal: the server stops the model and keeps the part
        if (stopRequested && m.msg.isConnected) renderStopped(turn, streamed);
      } else {
        failed(turn, (err && err.message) || t('err_generic'), streamed);
      }
    } finally {
      if (state.abort === controller) state.abort = null;
      finishCard(m);
      setStreaming(false);
      scrollToBottom();
      history.refresh();
      if (els.login.hidden && !isNarrow() && !els.editing.contains(document.activeElement)) els.question.focus();
    }
  }

  /** An error: the question goes back into the input (sending it replaces the failed turn). */
  function failed(turn, message, streamed) {
    renderError(turn, message, streamed);
    if (!els.question.value) {
      els.question.value = turn.question;
      state.editing = turn; // silently: the next send is the retry
      autosize();
      updateSend();
    }
  }

  function redo(turn, question) {
    if (state.streaming) return;
    setEditing(null);
    ask(question, turn);
  }

  function stop() {
    if (!state.streaming || !state.abort) return;
    stopRequested = true;
    state.abort.abort();
  }

  answerHooks.regenerate = (m) => {
    const turn = turns.find((x) => x.m === m);
    if (turn) redo(turn, turn.question);
  };

  function setEditing(turn) {
    state.editing = turn;
    els.editing.hidden = !turn;
    turns.forEach((x) => x.userEl.classList.toggle('editing-this', x === turn));
  }

  function startEdit(turn) {
    if (state.streaming) return;
    setEditing(turn);
    els.question.value = turn.question;
    autosize();
    updateSend();
    els.question.focus();
    els.question.setSelectionRange(els.question.value.length, els.question.value.length);
  }

  function cancelEdit() {
    setEditing(null);
    els.question.value = '';
    autosize();
    updateSend();
    els.question.focus();
  }

  // ---------------------------------------------------------------------------------------
  // Conversations from the server
  // ---------------------------------------------------------------------------------------
  async function openConversation(id, { quiet = false } = {}) {
    let conv;
    try {
      const res = await api(`/api/conversations/${encodeURIComponent(id)}`, { quiet });
      conv = await res.json();
    } catch (err) {
      if (quiet || (err && err.status === 404)) { storageSet(App.LS_CONVERSATION, null); return; }
      return;
    }
    closePanel(false);
    clearLog();
    setEditing(null);
    setConversation(conv.id);
    const msgs = Array.isArray(conv.messages) ? conv.messages : [];
    for (let i = 0; i < msgs.length; i++) {
      const q = msgs[i];
      if (q.role !== 'user') continue;
      const turn = addTurn(q.text, q.position);
      const a = msgs[i + 1] && msgs[i + 1].role === 'assistant' ? msgs[i + 1] : null;
      if (a) i += 1;
      finishCard(turn.m);
      if (a && a.status === 'done' && a.answer) renderFinal(turn.m, a.answer);
      else if (a && a.status === 'stopped') renderStopped(turn, a.text);
      else renderError(turn, a ? localizeMessage(a.text) : t('err_interrupted'), '');
    }
    scrollToBottom(true);
  }

  // ---------------------------------------------------------------------------------------
  // Composer, keyboard, drawer, start-up
  // ---------------------------------------------------------------------------------------
  els.composer.addEventListener('submit', (e) => { e.preventDefault(); ask(els.question.value); });
  els.question.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      if (!state.streaming) ask(els.question.value);
    } else if (e.key === 'ArrowUp' && !els.question.value && !state.streaming && turns.length) {
      e.preventDefault();
      startEdit(turns[turns.length - 1]);
    }
  });
  els.question.addEventListener('input', () => { autosize(); updateSend(); });
  els.stop.addEventListener('click', () => { stop(); els.question.focus(); });
  els.editCancel.addEventListener('click', cancelEdit);
  els.newChat.addEventListener('click', () => { resetConversation(); els.question.focus(); });

  document.addEventListener('keydown', (e) => {
    if (!els.login.hidden) return;
    if ((e.ctrlKey || e.metaKey) && !e.altKey && (e.key === 'k' || e.key === 'K' || e.code === 'KeyK')) {
      e.preventDefault();
      resetConversation();
      els.question.focus();
    } else if (e.key === 'Escape') {
      if (state.streaming) { e.preventDefault(); stop(); } else if (!els.panel.hidden) closePanel(true);
      else if (els.editing && !els.editing.hidden) cancelEdit();
      else if (els.layout.classList.contains('drawer-open')) closeDrawer(true);
    }
  });

  function closeDrawer(focusToggle) {
    if (!els.layout.classList.contains('drawer-open')) return;
    els.layout.classList.remove('drawer-open');
    els.historyToggle.setAttribute('aria-expanded', 'false');
    if (focusToggle) els.historyToggle.focus();
  }
  document.getElementById('history-close').addEventListener('click', () => closeDrawer(true));
  // a tap beside the open drawer (on the dimmed page) closes it instead of acting there
  document.addEventListener('click', (e) => {
    if (!els.layout.classList.contains('drawer-open')) return;
    if (els.history.contains(e.target) || els.historyToggle.contains(e.target)) return;
    e.preventDefault();
    e.stopPropagation();
    closeDrawer(true);
  }, true);
  els.historyToggle.addEventListener('click', () => {
    const open = !els.layout.classList.contains('drawer-open');
    els.layout.classList.toggle('drawer-open', open);
    els.historyToggle.setAttribute('aria-expanded', String(open));
    if (open) document.getElementById('history-q').focus();
  });

  async function start() {
    App.setLang(state.lang);
    updateSend();
    App.loadFooter();
    await auth.start();
  }

  start();
})();
