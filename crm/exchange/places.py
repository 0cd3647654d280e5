"""Where a listing's goods are on Avedøre Holme, and how far apart two places are.

Companies and plots hold a street address and no coordinates, and no request may call an outside service. So this
module keeps a small table of the area's streets: for each, the approximate position of its lowest and highest house
number (read off the public map by hand, to about 200 m). A house number is placed along the line between them,
which is near enough to say "about 1.2 km away" on an estate 3 km across. An address on another street, or with
no house number, has no position and no distance is shown.
"""

import math
import re
import unicodedata

#: street (lower case) -> ((lowest number, lat, lon), (highest number, lat, lon)).
STREETS = {
    "avedøreholmen": ((1, 55.6246, 12.4555), (200, 55.6052, 12.4682)),
    "stamholmen": ((1, 55.6232, 12.4648), (220, 55.6083, 12.4801)),
    "hammerholmen": ((1, 55.6183, 12.4497), (60, 55.6101, 12.4561)),
    "jernholmen": ((1, 55.6152, 12.4598), (60, 55.6079, 12.4641)),
    "stenholmen": ((1, 55.6121, 12.4719), (40, 55.6069, 12.4762)),
    "kystholmen": ((1, 55.6043, 12.4698), (40, 55.6001, 12.4779)),
}
_ADDRESS = re.compile(r"^\s*([^\W\d_][\w .'-]*?)\s+(\d{1,4})\s*[A-Za-z]?\b")
EARTH_RADIUS_KM = 6371.0


def position(address):
    """(lat, lon) of a street address on the estate, or None when the street or number is not known."""
    match = _ADDRESS.match(unicodedata.normalize("NFC", address or ""))
    if not match:
        return None
    ends = STREETS.get(match[1].strip().lower())
    if ends is None:
        return None
    (low, lat1, lon1), (high, lat2, lon2) = ends
    share = (min(max(int(match[2]), low), high) - low) / (high - low)
    return lat1 + (lat2 - lat1) * share, lon1 + (lon2 - lon1) * share


def distance_km(a, b):
    """The distance in km between two positions (None when either is unknown)."""
    if a is None or b is None:
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))
