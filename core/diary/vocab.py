"""The diary's closed vocabularies, in code order: sides and parts of the day.

Their own module because the parsers, the table model and the kept rows all index into them;
here none of those has to import another to share them.
"""

from typing import Final

SIDE_ORDER: Final = ("left", "right", "both")
TIME_OF_DAY: Final = ("morning", "afternoon", "evening", "night")
