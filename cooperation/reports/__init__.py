"""Reports on a portfolio: gathered once (`build`, `initiative`) into a model filtered by TLP
audience and optionally anonymised, then written in a format from `formats` (Markdown, JSON,
or a self-contained HTML page with SVG drawn by `svg`)."""
