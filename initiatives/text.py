"""Text hygiene shared by the forms, the feed and the filters."""

import re

# C0 control characters but tab, line feed and carriage return, and the two non-characters
# U+FFFE and U+FFFF: invisible in a page, and not allowed in XML 1.0 (the Atom feed).
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def without_control_characters(text: str) -> str:
    return CONTROL_CHARACTERS.sub("", text)
