() => {
  // Horizontal overflow of the page, and pairs of visible layout boxes of <main> that
  // intersect although neither contains the other.
  const problems = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth) {
    const scrolls = (el) => {
      for (let node = el.parentElement; node && node !== document.body; node = node.parentElement) {
        if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(node).overflowX)) return true;
      }
      return false;
    };
    const culprits = [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && !scrolls(el))
      .slice(-3)
      .map(describe);
    problems.push(`page ${doc.scrollWidth}px wide in ${window.innerWidth}px: ${culprits.join(', ')}`);
  }
  const main = document.querySelector('main') || document.body;
  const selector = [
    'section', 'article', 'aside', 'form', 'nav', 'figure', 'table', 'img', 'svg',
    'h1', 'h2', 'h3', 'h4', 'p', 'ul', 'ol', 'dl', 'blockquote', 'pre', 'details',
    '.fr-card', '.fr-callout', '.fr-tile', '.fr-alert', '.fr-notice', '.fr-table',
    '.fr-accordion', '.fr-input-group', '.fr-select-group', '.fr-fieldset', '.fr-btn',
    '.fr-grid-row > *',
  ].join(',');
  const visible = (el) => {
    // Closed <details>, display: none, visibility: hidden, opacity 0.
    if (!el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) return false;
    for (let node = el; node && node !== main; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.display === 'none' || style.visibility === 'hidden') return false;
      if (style.position === 'absolute' || style.position === 'fixed') return false;
      if (node.classList.contains('fr-sr-only') || node.closest('svg') !== el && node.tagName === 'svg') return false;
    }
    const rect = el.getBoundingClientRect();
    return rect.width > 2 && rect.height > 2;
  };
  // A negative margin is the DSFR's way of letting a box's padding or its items' margins
  // reach into the gutter (grid rows, fieldsets, tag and button groups): what it draws
  // stays inside the box shrunk by that margin.
  // And a box that paints neither background nor border shows only its content: its
  // padding (the grid's gutters) is empty space.
  const contentBox = (el) => {
    const rect = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    const painted =
      (style.backgroundColor !== 'rgba(0, 0, 0, 0)' && style.backgroundColor !== 'transparent') ||
      style.backgroundImage !== 'none' ||
      ['Top', 'Right', 'Bottom', 'Left'].some((side) => parseFloat(style[`border${side}Width`]) > 0) ||
      style.boxShadow !== 'none';
    const inset = (side) =>
      Math.min(0, parseFloat(style[`margin${side}`]) || 0) -
      (painted ? 0 : parseFloat(style[`padding${side}`]) || 0);
    return {
      left: rect.left - inset('Left'),
      right: rect.right + inset('Right'),
      top: rect.top - inset('Top'),
      bottom: rect.bottom + inset('Bottom'),
    };
  };
  const boxes = [...main.querySelectorAll(selector)]
    .filter((el) => !el.closest('svg') || el.tagName === 'svg')
    .filter(visible);
  // The page's footer: nothing of the main content may run into it.
  const footer = document.querySelector('footer#footer, body > footer, .fr-footer');
  if (footer && !main.contains(footer)) boxes.push(footer);
  const rects = boxes.map(contentBox);
  const TOLERANCE = 2;
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (a.contains(b) || b.contains(a)) continue;
      const ra = rects[i], rb = rects[j];
      const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
      const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
      if (w > TOLERANCE && h > TOLERANCE) {
        problems.push(`${describe(a)} and ${describe(b)} overlap (${Math.round(w)}×${Math.round(h)}px)`);
        if (problems.length > 8) return problems;
      }
    }
  }
  return problems;

  function describe(el) {
    const text = (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 40);
    const cls = [...el.classList].slice(0, 2).join('.');
    return `<${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${cls ? '.' + cls : ''}> "${text}"`;
  }
}
