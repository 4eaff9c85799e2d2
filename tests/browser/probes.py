"""Scripts the browser tests run in a page to measure it, shared by several test modules."""

WIDTH = 320  # CSS pixels: the reflow width of WCAG 1.4.10

# How much wider than the window the page is, and the outermost elements that stick out (ignoring anything
# inside a box that scrolls or clips on its own).
OVERFLOW = """(width) => {
  const ownScroller = (e) => { for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
      if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(p).overflowX)) return true; } return false; };
  const wide = [...document.body.querySelectorAll('*')].filter((e) => {
      const box = e.getBoundingClientRect();
      return box.width > 0 && box.right > width + 1 && !ownScroller(e)
        && !(e.parentElement && e.parentElement.getBoundingClientRect().right > width + 1);
  });
  return {scrollWidth: document.documentElement.scrollWidth,
          wide: wide.slice(0, 4).map(
            (e) => `${e.outerHTML.slice(0, 140)} (right edge at ${Math.round(e.getBoundingClientRect().right)} px)`)};
}"""

# The focused element: its accessible name (near enough: its label or its text) and whether the focus shows.
FOCUS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return {name: '', visible: true, html: 'body'};
  const label = e.labels && e.labels.length ? e.labels[0] : null;
  const styles = [getComputedStyle(e)];
  if (label && ['checkbox', 'radio'].includes(e.type)) styles.push(getComputedStyle(label, '::before'));
  const clear = (colour) => colour === 'transparent' || colour.endsWith(', 0)');
  const shows = (s) => (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 && !clear(s.outlineColor))
      || s.boxShadow !== 'none' || s.backgroundColor === 'rgb(255, 221, 0)';
  const box = e.getBoundingClientRect();
  return {name: ((label || e).textContent || e.value || '').replace(/\\s+/g, ' ').trim(), id: e.id,
          visible: box.width > 0 && box.height > 0 && styles.some(shows), html: e.outerHTML.slice(0, 160)};
}"""
