"""Generators of hostile and implausible input files (built in the tests, never committed)."""

from __future__ import annotations

import io
import zipfile

import openpyxl

HEADER = ["commune_code", "chiefs", "deputies", "officers", "reinforcements", "trained",
          "as_of"]


def workbook(rows, *, hidden_first: list | None = None) -> bytes:
    """A plain roster workbook; with ``hidden_first``, a hidden first sheet holding those rows."""
    wb = openpyxl.Workbook()
    ws = wb.active
    if hidden_first is not None:
        ws.title = "hidden"
        for r in [HEADER, *hidden_first]:
            ws.append(r)
        ws.sheet_state = "hidden"
        ws = wb.create_sheet("roster")
    else:
        ws.title = "roster"
    for r in [HEADER, *rows]:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _rewrite(data: bytes, replace: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(
            out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
    return out.getvalue()


def dimension_bomb() -> bytes:
    """About 8 KB: the sheet claims A1:XFD1048576 and has one cell in the last row."""
    base = workbook([["03154", 1, 1, 3, 0, 4, "2024-05-01"]])
    sheet = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             b'<dimension ref="A1:XFD1048576"/><sheetData>'
             b'<row r="1"><c r="A1" t="inlineStr"><is><t>commune_code</t></is></c></row>'
             b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
             b'</sheetData></worksheet>')
    return _rewrite(base, {"xl/worksheets/sheet1.xml": sheet})


_SHEET = ('<?xml version="1.0" encoding="UTF-8"?>{doctype}'
          '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
          '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>{text}</t></is></c></row>'
          '</sheetData></worksheet>')


def billion_laughs() -> bytes:
    """Entity expansion bomb ("billion laughs") in the sheet part."""
    base = workbook([["03154", 1, 1, 3, 0, 4, "2024-05-01"]])
    ents = "".join(f'<!ENTITY l{i} "{"&l%d;" % (i - 1) * 10}">' for i in range(1, 10))
    sheet = _SHEET.format(doctype=f'<!DOCTYPE worksheet [<!ENTITY l0 "lol">{ents}]>',
                          text="&l9;")
    return _rewrite(base, {"xl/worksheets/sheet1.xml": sheet.encode()})


def xxe() -> bytes:
    """External entity (``file:///etc/passwd``) in the sheet part."""
    base = workbook([["03154", 1, 1, 3, 0, 4, "2024-05-01"]])
    sheet = _SHEET.format(
        doctype='<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        text="&xxe;")
    return _rewrite(base, {"xl/worksheets/sheet1.xml": sheet.encode()})


def wide_csv(columns: int = 100_007) -> bytes:
    """A CSV header with ``columns`` fields (about 690 KB)."""
    head = ",".join(HEADER + [f"x{i}" for i in range(columns - len(HEADER))])
    return (head + "\n03154,1,1,3,0,4,2024-05-01\n").encode()


def boundary_files(folder, vintage: str = "2020") -> dict[str, object]:
    """Implausible official-boundary files for Điện Biên, as GeoJSON, keyed by defect.

    ``province_sized``: every commune is the whole province; ``tiny``: 1 m squares at
    each commune's position; ``duplicate_far``: one extra feature with a commune's
    code, a 2 km square in Hà Nội; ``good``: the embedded layer itself.
    """
    import geopandas as gpd
    import shapely
    from shapely.geometry import box

    from geo.boundaries import load_communes
    from geo.settings import METRIC_CRS

    base = load_communes("Điện Biên", vintage=vintage)[["code", "geometry"]].rename(
        columns={"code": "ma_xa"})
    outline = shapely.union_all(base.geometry.to_numpy())
    metric = base.to_crs(METRIC_CRS)
    pts = shapely.point_on_surface(metric.geometry.to_numpy())
    tiny = gpd.GeoDataFrame({"ma_xa": base["ma_xa"]},
                            geometry=[box(p.x, p.y, p.x + 1, p.y + 1) for p in pts],
                            crs=METRIC_CRS).to_crs(4326)
    hanoi = gpd.GeoDataFrame({"ma_xa": [base["ma_xa"].iloc[0]]},
                             geometry=[box(105.84, 21.02, 105.86, 21.04)], crs=4326)
    files = {
        "good": base,
        "province_sized": base.assign(geometry=[outline] * len(base)),
        "tiny": tiny,
        "duplicate_far": gpd.GeoDataFrame(
            __import__("pandas").concat([base, hanoi], ignore_index=True), crs=4326),
    }
    out = {}
    for name, gdf in files.items():
        path = folder / f"{name}.geojson"
        gdf.to_file(path, driver="GeoJSON")
        out[name] = path
    return out
