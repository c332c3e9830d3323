"""Outputs: a Recommendation turned into words, cards and files (note, CDS Hooks cards,
counselling sheet, PDF report). This layer decides nothing clinical; it only lays out what
the decision layer returned.
"""
