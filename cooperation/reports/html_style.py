"""The stylesheet of the HTML report: inline, so the page needs nothing from outside.

Readable on a screen, on a phone (wide tables and graphs scroll inside their own box)
and on paper (each initiative starts a new page; TLP labels keep their colours).
"""

STYLE = """
:root { --ink:#1b1f24; --muted:#5b6770; --line:#d0d7de; --soft:#f6f8fa; --accent:#1f4e79;
  --ok:#2e7d32; --bad:#c62828; --info:#1565c0; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 72rem; padding: 1rem; color: var(--ink); line-height: 1.45;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 1.6rem; margin: .2rem 0 .4rem; }
h2 { font-size: 1.3rem; margin: 2rem 0 .6rem; padding-top: .6rem; border-top: 2px solid var(--line); }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
p, li { overflow-wrap: anywhere; }
.meta { color: var(--muted); }
.notice { background: var(--soft); border-left: 4px solid var(--accent); padding: .5rem .8rem; }
.tlp { font-family: ui-monospace, Menlo, Consolas, monospace; font-weight: bold; padding: 0 .35em;
  border-radius: 3px; white-space: nowrap; background: #000;
  -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.tlp-red { color: #ff2b2b; } .tlp-amber { color: #ffc000; } .tlp-green { color: #33ff00; }
.tlp-clear { color: #ffffff; }
nav ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .3rem .9rem; }
.scroll { overflow-x: auto; max-width: 100%; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; font-size: .9rem; min-width: 100%; }
th, td { border: 1px solid var(--line); padding: .3rem .45rem; text-align: left; vertical-align: top; }
th { background: var(--soft); }
td.detail { min-width: 14rem; }
code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .88em; background: var(--soft);
  padding: 0 .2em; border-radius: 3px; overflow-wrap: anywhere; }
.state { font-weight: bold; white-space: nowrap; }
.met { color: var(--ok); } .waived { color: var(--info); } .blocking { color: var(--bad); }
.advisory { color: var(--muted); }
.risk { color: var(--bad); font-weight: bold; }
.ready { color: var(--ok); font-weight: bold; } .blocked { color: var(--bad); font-weight: bold; }
.withheld { color: var(--muted); font-style: italic; }
.cover { text-align: center; }
.present { background: #e6f4ea; } .observing { background: #fff8e1; } .absent { background: #fdecea; }
svg { display: block; }
svg.progress { max-width: 100%; height: auto; }
figure { margin: .5rem 0; }
figcaption { color: var(--muted); font-size: .85rem; }
details { margin: .4rem 0; }
pre { background: var(--soft); padding: .6rem; overflow-x: auto; font-size: .8rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem .8rem; margin: .4rem 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
@media (max-width: 40rem) { body { padding: .6rem; font-size: 14px; }
  dl.facts { grid-template-columns: 1fr; } dl.facts dd { margin-bottom: .3rem; } }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  nav, details { display: none; }
  .scroll { overflow: visible; }
  svg.graph { max-width: 100%; height: auto; }
  section.initiative { break-before: page; }
  table, figure, li { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
@page { margin: 1.5cm; }
"""
