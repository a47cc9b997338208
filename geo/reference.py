"""Published figures, province codes, belts and provenance notes: reference data in one place.

Every figure here is a public statement quoted with its source (see
``shared/reference/FACTS.md``); code compares computed values against these and
never hard-codes them elsewhere.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

#: Registry code of Điện Biên province (2020 and 2025 maps).
DIEN_BIEN_CODE = "11"

#: The province the service starts with.
DEFAULT_PROVINCE = "Điện Biên"

#: Province names users type that the registry spells otherwise (folded match), → code.
#: The registry names Thừa Thiên Huế by its 2025 name, "Thành phố Huế".
PROVINCE_ALIASES: Mapping[str, str] = MappingProxyType({
    "Thừa Thiên Huế": "46", "Thừa Thiên - Huế": "46", "TT Huế": "46", "Huế": "46",
    "TP Hồ Chí Minh": "79", "TP HCM": "79", "HCM": "79", "Sài Gòn": "79",
    "TP Hà Nội": "01",
})

#: The 25 land-border provinces of the 2020 map (registry codes) and the countries they
#: border (FACTS.md): China 7, Laos 10, Cambodia 10; Điện Biên and Kon Tum border two.
LAND_BORDER_PROVINCES_2020: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "11": ("CHN", "LAO"), "12": ("CHN",), "10": ("CHN",), "02": ("CHN",), "04": ("CHN",),
    "20": ("CHN",), "22": ("CHN",),
    "14": ("LAO",), "38": ("LAO",), "40": ("LAO",), "42": ("LAO",), "44": ("LAO",),
    "45": ("LAO",), "46": ("LAO",), "49": ("LAO",), "62": ("KHM", "LAO"),
    "64": ("KHM",), "66": ("KHM",), "67": ("KHM",), "70": ("KHM",), "72": ("KHM",),
    "80": ("KHM",), "87": ("KHM",), "89": ("KHM",), "91": ("KHM",),
})

#: Published figures for Điện Biên (FACTS.md): staff placed by the provincial police
#: (chiefs, deputy chiefs, officers), Ministry reinforcements, unit counts, border
#: lengths and natural area.
PUBLISHED: Mapping[str, float] = MappingProxyType({
    "chiefs": 115, "deputies": 153, "officers": 332, "reinforcements": 28,
    "communes_2020": 129, "xa_2020": 115, "communes_2025": 45,
    "border_km_lao": 414.712, "border_km_chn": 40.86, "area_km2": 9541,
})

#: Published staff totals (the sample roster reproduces them exactly).
PUBLISHED_STAFF: Mapping[str, int] = MappingProxyType(
    {k: int(PUBLISHED[k]) for k in ("chiefs", "deputies", "officers", "reinforcements")})

#: Published land-border lengths of Điện Biên province (km). Laos: UBND tỉnh Điện Biên,
#: văn bản 3667/UBND-NC (13/12/2017), after the Vietnam–Laos border map set signed
#: 16/3/2016 (414.712 km: 358.982 km on land, 55.73 km along rivers and streams).
#: China (Yunnan): 40.86 km.
PUBLISHED_BORDER_KM_DIEN_BIEN: Mapping[str, float] = MappingProxyType(
    {"LAO": PUBLISHED["border_km_lao"], "CHN": PUBLISHED["border_km_chn"]})

#: Source line printed beside the published border lengths.
PUBLISHED_BORDER_SOURCE = ("UBND tỉnh Điện Biên 3667/UBND-NC (2017) — Laos 414.712 km; "
                           "China 40.86 km")

#: Map metrics a commune can be shaded by (labels in :mod:`geo.i18n`).
METRIC_KEYS = ("total_police", "police_per_100km2", "staffing_gap", "reinforcements",
               "border_km")

#: Border belts, nearest first.
BELTS = ("border", "second-line", "interior")

#: Border-country filters offered to planners.
COUNTRY_FILTERS = ("all", "any", "LAO", "CHN", "both", "none")

#: Languages of the app and the briefings; the first is the default.
LANGUAGES = ("vi", "en")

#: Briefing file formats.
EXPORT_FORMATS = ("png", "pdf", "html")

#: Provenance notes shown wherever the embedded layer or sample data appear.
APPROXIMATE_NOTE = (
    "Approximate boundaries: power diagram of official commune centroids (vietnamadminunits "
    "registry) fitted to official 2025 areas inside OpenStreetMap province outlines (ODbL) "
    "and Natural Earth 1:10m borders — not official lines."
)
APPROXIMATE_NOTE_VI = "Ranh giới gần đúng — không phải ranh giới chính thức."
SAMPLE_NOTE = "Sample data — not real assignments."
SAMPLE_NOTE_VI = "Dữ liệu mẫu — không phải phân công thực tế."


def is_dien_bien(province_code: object) -> bool:
    """Return True when ``province_code`` is Điện Biên's registry code."""
    return str(province_code) == DIEN_BIEN_CODE


#: Published national figures (FACTS.md): the Ministry of Public Security reinforced "nearly
#: 400" officers to the border communes of the land-border provinces (28 of them to Điện Biên).
PUBLISHED_NATIONAL: Mapping[str, float] = MappingProxyType({"reinforcements": 400})

#: Where the national figure was published (FACTS.md).
PUBLISHED_NATIONAL_SOURCE = "Công an tỉnh Điện Biên (congan.dienbien.gov.vn)"
