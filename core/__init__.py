"""Cramp Consult's pure core: models, rules, medication resolution, diaries, charts.

Nothing here imports Streamlit, so every clinical decision is testable without a browser.
"""

__version__ = "0.1.0"
