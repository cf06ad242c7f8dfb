/* A tiny, safe Markdown renderer for answers: paragraphs, bullet and numbered lists, headings,
 * **bold**, *italic*, `code`, [text](http…) links, bare http(s) URLs, and [n] citation markers.
 *
 * Safe by construction: it never parses HTML and never sets innerHTML — every piece of text
 * becomes a text node, so markup in an answer or a document shows as the characters it is.
 * Links are made only from http(s) URLs. ISO dates (2019-09-12) are shown as 12.09.2019.
 */
(() => {
  'use strict';

  const BULLET = /^\s*[-*•]\s+(.*)$/;
  const NUMBERED = /^\s*(\d{1,3})[.)]\s+(.*)$/;
  const HEADING = /^\s*#{1,6}\s+(.*)$/;
  // a line of only punctuation (a stray «.» the model put on its own line) joins the one before
  const STRAY = /^\s*[.,;:!?)»]+\s*$/;
  const INLINE = new RegExp([
    '\\*\\*([^*\\n]+?)\\*\\*', // 1 bold
    '`([^`\\n]+)`', // 2 code
    '\\[([^\\]\\n]+)\\]\\((https?:\\/\\/[^\\s)]+)\\)', // 3, 4 link
    '\\[(\\d+(?:\\s*[,;]\\s*\\d+)*)\\]', // 5 citation markers
    '(https?:\\/\\/[^\\s<>«»"]+[^\\s<>«»".,;:!?)])', // 6 bare URL
    '\\b(\\d{4})-(\\d{2})-(\\d{2})\\b', // 7, 8, 9 ISO date
    '(?<![\\w*])\\*([^*\\s][^*\\n]*?)\\*(?![\\w*])', // 10 italic
  ].join('|'), 'g');

  function formatDate(s) {
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(s || ''));
    return m ? `${m[3]}.${m[2]}.${m[1]}` : String(s || '');
  }

  function el(tag, ...children) {
    const node = document.createElement(tag);
    for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return node;
  }

  /** Inline markup of one block's text; `chip(n)` makes a citation element or returns null. */
  function inline(text, chip) {
    const out = [];
    let last = 0;
    // a regex of its own per call: bold and italic recurse, and a shared lastIndex would loop
    const re = new RegExp(INLINE.source, 'g');
    let m;
    while ((m = re.exec(text)) !== null) {
      if (m.index > last) out.push(document.createTextNode(text.slice(last, m.index)));
      last = re.lastIndex;
      if (m[1] !== undefined) out.push(el('strong', ...inline(m[1], chip)));
      else if (m[2] !== undefined) out.push(el('code', m[2]));
      else if (m[3] !== undefined) out.push(link(m[4], m[3]));
      else if (m[5] !== undefined) {
        const nums = m[5].split(/\s*[,;]\s*/).map(Number);
        const chips = chip ? nums.map((n) => chip(n)) : [];
        if (chips.length && chips.every(Boolean)) out.push(...chips);
        else out.push(document.createTextNode(m[0]));
      } else if (m[6] !== undefined) out.push(link(m[6], m[6]));
      else if (m[7] !== undefined) out.push(document.createTextNode(`${m[9]}.${m[8]}.${m[7]}`));
      else if (m[10] !== undefined) out.push(el('em', ...inline(m[10], chip)));
    }
    if (last < text.length) out.push(document.createTextNode(text.slice(last)));
    return out;
  }

  function link(url, label) {
    const a = el('a', label);
    a.href = url;
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    return a;
  }

  /** Lines into blocks: {type: 'p'|'ul'|'ol'|'h', lines|items, start}. */
  function blocks(text) {
    const out = [];
    let cur = null;
    const close = () => { cur = null; };
    for (const raw of String(text || '').replace(/\r\n?/g, '\n').split('\n')) {
      const line = raw.replace(/\s+$/, '');
      if (!line.trim()) { close(); continue; }
      if (STRAY.test(line) && out.length) {
        const prev = out[out.length - 1];
        const arr = prev.items || prev.lines;
        arr[arr.length - 1] += line.trim();
        continue;
      }
      let m;
      if ((m = BULLET.exec(line))) {
        if (!cur || cur.type !== 'ul') { cur = { type: 'ul', items: [] }; out.push(cur); }
        cur.items.push(m[1]);
      } else if ((m = NUMBERED.exec(line))) {
        if (!cur || cur.type !== 'ol') { cur = { type: 'ol', items: [], start: Number(m[1]) }; out.push(cur); }
        cur.items.push(m[2]);
      } else if ((m = HEADING.exec(line))) {
        out.push({ type: 'h', lines: [m[1]] });
        close();
      } else if (cur && (cur.type === 'ul' || cur.type === 'ol') && /^\s{2,}\S/.test(raw)) {
        cur.items[cur.items.length - 1] += ` ${line.trim()}`; // an indented continuation line
      } else {
        if (!cur || cur.type !== 'p') { cur = { type: 'p', lines: [] }; out.push(cur); }
        cur.lines.push(line.trim());
      }
    }
    return out;
  }

  /** The answer as DOM nodes. */
  function render(text, chip) {
    const nodes = [];
    for (const b of blocks(text)) {
      if (b.type === 'ul' || b.type === 'ol') {
        const list = document.createElement(b.type);
        if (b.type === 'ol' && b.start !== 1) list.start = b.start;
        for (const item of b.items) list.append(el('li', ...inline(item, chip)));
        nodes.push(list);
      } else if (b.type === 'h') {
        nodes.push(el('p', el('strong', ...inline(b.lines[0], chip))));
      } else {
        const p = document.createElement('p');
        b.lines.forEach((line, i) => {
          if (i) p.append(document.createElement('br'));
          p.append(...inline(line, chip));
        });
        nodes.push(p);
      }
    }
    return nodes;
  }

  /** The text a reader sees, without the Markdown marks (for copying and tests). */
  function plain(text) {
    return blocks(text).map((b) => (b.items || b.lines).join('\n')).join('\n')
      .replace(/\*\*([^*\n]+?)\*\*/g, '$1').replace(/`([^`\n]+)`/g, '$1');
  }

  window.KenesMarkdown = { render, plain, formatDate };
})();
