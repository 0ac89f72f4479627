"""Names as people write them: the standard romanisations of Cyrillic names.

A Ukrainian child's name may be written in Cyrillic on one record, in the Latin letters
of her passport on another, and as a police officer heard it on a third. `romanisations`
gives the spellings the standard systems produce, so that a search and the duplicate
check find the child under any of them.
"""

from casework.names.romanise import SYSTEMS, has_cyrillic, romanisations, romanise

__all__ = ["SYSTEMS", "has_cyrillic", "romanisations", "romanise"]
