/* Sign-in for the chat page: name + password give an HttpOnly session cookie (the page never
 * holds a credential); sign-out ends the session on the server. Used by chat.js.
 */
(() => {
  'use strict';

  function create({ onSignedIn, onSignedOut }) {
    const App = window.KenesApp;
    const { state, els, t, api } = App;

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
      els.password.value = '';
      setTimeout(() => (els.username.value ? els.password : els.username).focus(), 0);
    }

    function hideLogin() {
      els.login.hidden = true;
      setInert(false);
    }

    App.authHooks.unauthorized = () => {
      state.me = null;
      els.userBox.hidden = true;
      showLogin(t('session_expired'));
    };

    function setUser(me) {
      state.me = me;
      els.userName.textContent = (me && (me.name || '')) || '';
      els.userName.title = me && me.role ? `${me.name || ''} (${me.role})` : '';
      els.userBox.hidden = false;
      // the server refuses analytics to plain users too; the link is only shown to those it serves
      els.navAnalyst.hidden = !(me && (me.role === 'analyst' || me.role === 'admin'));
    }

    async function signedIn(me) {
      setUser(me);
      hideLogin();
      await onSignedIn(me);
    }

    els.loginForm.addEventListener('submit', async (e) => {
      e.preventDefault();
      const username = els.username.value.trim();
      const password = els.password.value;
      if (!username || !password) {
        els.loginError.textContent = t('login_empty');
        (username ? els.password : els.username).focus();
        return;
      }
      els.loginSubmit.disabled = true;
      els.loginSubmit.textContent = t('login_checking');
      els.loginError.textContent = '';
      try {
        const res = await api('/api/auth/login', { method: 'POST', body: { username, password }, quiet: true });
        await signedIn(await res.json());
      } catch (err) {
        els.loginError.textContent = err.status === 401 || err.status === 422 ? t('login_bad') : err.message;
        els.password.select();
        els.password.focus();
      } finally {
        els.loginSubmit.disabled = false;
        els.loginSubmit.textContent = t('login_button');
      }
    });

    els.logout.addEventListener('click', async () => {
      try { await api('/api/auth/logout', { method: 'POST', quiet: true }); } catch { /* signed out locally anyway */ }
      state.me = null;
      els.userBox.hidden = true;
      els.navAnalyst.hidden = true;
      onSignedOut();
      showLogin('');
    });

    async function start() {
      try {
        const res = await api('/api/me', { quiet: true });
        await signedIn(await res.json());
      } catch (err) {
        showLogin(err && err.status === 401 ? '' : (err && err.message) || '');
      }
    }

    return { start };
  }

  window.KenesAuth = { create };
})();
