"""misconduct-tagger: tag Chinese discipline-inspection reports with misconduct categories."""

__version__ = "0.1.0"
