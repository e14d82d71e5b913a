"""Human names of CT QC measurements, phantoms and artifacts, in English and Chinese.

Qt-free (the PDF report and image review use it too). The dotted key stays the contract (records, limits,
CLI); people read these names. Unknown parts fall back to readable words.

    measurement_name("ct_number.teflon", "zh_CN")   # 'CT值（特氟龙）'
"""
from __future__ import annotations

import re

GROUPS = {
    "ct_number": ("CT number", "CT值"), "noise": ("Noise", "噪声"),
    "uniformity": ("Uniformity", "均匀性"), "mtf": ("MTF", "MTF"), "ttf": ("TTF", "TTF"),
    "nps": ("NPS", "噪声功率谱"), "linearity": ("CT-number linearity", "CT值线性"),
    "slice_thickness": ("Slice thickness", "层厚"), "geometry": ("Geometry", "几何精度"),
    "low_contrast": ("Low contrast", "低对比度"), "resolution": ("Resolution", "分辨率"),
    "dose": ("Dose", "剂量"), "detectability": ("Detectability", "可探测性"),
    "artifact": ("Artifact", "伪影"),
}
PARTS = {
    "water": ("water", "水"), "air": ("air", "空气"), "uniform": ("uniform", "均匀区"), "teflon": ("Teflon", "特氟龙"),
    "acrylic": ("acrylic", "丙烯酸"), "polyethylene": ("polyethylene", "聚乙烯"),
    "ldpe": ("LDPE", "低密度聚乙烯"), "polystyrene": ("polystyrene", "聚苯乙烯"),
    "delrin": ("Delrin", "聚甲醛"), "pmp": ("PMP", "PMP"), "bone": ("bone", "骨"),
    "bone50": ("bone 50 %", "骨 50 %"), "bone20": ("bone 20 %", "骨 20 %"),
    "sd": ("standard deviation", "标准差"), "nonuniformity": ("non-uniformity", "不均匀度"),
    "max_edge_dev": ("largest edge deviation", "最大边缘偏差"),
    "radial_max_dev": ("largest radial deviation", "最大径向偏差"),
    "centre": ("centre", "中心"), "mtf50": ("50 %", "50 %"), "mtf10": ("10 %", "10 %"),
    "bead_mtf50": ("bead, 50 %", "小珠 50 %"), "r2": ("R²", "R²"), "slope": ("slope", "斜率"),
    "intercept": ("intercept", "截距"), "node_distance": ("hole distance", "孔距"),
    "max_deviation": ("largest deviation", "最大偏差"), "cnr": ("CNR", "CNR"),
    "contrast": ("contrast", "对比度"), "dprime": ("d′", "d′"),
    "bars_visible": ("bar groups visible", "可见线对组"),
    "bar_modulation": ("bar modulation", "线对调制度"), "f_av": ("mean frequency", "平均频率"),
    "f_peak": ("peak frequency", "峰值频率"), "ctdivol": ("CTDIvol", "CTDIvol"),
    "ring_profile": ("ring profile", "环形伪影曲线"), "z_profile": ("z profile", "z向曲线"),
    "ramp_profile": ("ramp profile", "斜坡曲线"), "radial_profile": ("radial profile", "径向曲线"),
    "ring": ("ring", "环形伪影"), "streak": ("streak", "条纹伪影"), "band": ("band", "带状伪影"),
    "cupping": ("cupping", "杯状伪影"), "capping": ("capping", "帽状伪影"),
    "top": ("top", "上"), "bottom": ("bottom", "下"), "left": ("left", "左"),
    "right": ("right", "右"), "bars": ("bar group", "线对组"),
    "f50": ("50 %", "50 %"), "f10": ("10 %", "10 %"),       # a TTF's 50 % / 10 % frequency
}
PHANTOMS = {"auto": ("Detect automatically", "自动识别"), "acr464": ("ACR 464", "ACR 464"),
            "catphan504": ("Catphan 504", "Catphan 504"),
            "catphan600": ("Catphan 600", "Catphan 600"),
            "catphan604": ("Catphan 604", "Catphan 604"),
            "vendor_water": ("Vendor water phantom", "厂家水模")}


def _zh(language: str) -> bool:
    return (language or "").startswith("zh")


def part_name(part: str, language: str = "en") -> str:
    m = re.fullmatch(r"lp(\d+)(?:_(\d+))?", part or "")
    if m:                   # a bar group by its spatial frequency: lp21 -> "21 lp/cm"
        return f"{m.group(1)}{'.' + m.group(2) if m.group(2) else ''} lp/cm"
    en, zh = PARTS.get(part, (part.replace("_", " "), part.replace("_", " ")))
    return zh if _zh(language) else en


def measurement_name(key: str, language: str = "en") -> str:
    group, _, rest = (key or "").partition(".")
    g = GROUPS.get(group)
    if g is None:
        return key
    name = g[1] if _zh(language) else g[0]
    if not rest:
        return name
    parts = [part_name(p, language) for p in rest.split(".")]
    detail = " ".join(parts)
    if _zh(language):
        return f"{name}（{detail}）"
    return f"{name}, {detail}"


def artifact_name(kind: str, language: str = "en") -> str:
    """'Ring artifact' / '环形伪影' for an artifact type of the analysis."""
    en, zh = PARTS.get(kind or "", (str(kind).replace("_", " "), str(kind)))
    if _zh(language):
        return zh if zh.endswith("伪影") else f"{zh}伪影"
    return f"{en[:1].upper()}{en[1:]} artifact"


UNMEASURED_NOTE = "limited by the profile but not measured: "


def note_text(note: str, language: str = "en") -> str:
    """An analysis note (English in the record) for people: the notes this module knows
    the form of in the user's language with measurement names; any other as written."""
    if note.startswith(UNMEASURED_NOTE):
        keys = [k.strip() for k in note[len(UNMEASURED_NOTE):].split(",") if k.strip()]
        names = [measurement_name(k, language) for k in keys]
        if _zh(language):
            return "限值方案要求但本序列未能测量（结果不能判为合格）：" + "；".join(names)
        return ("Limited by the profile but not measured (the result cannot read PASS): "
                + "; ".join(names))
    return note


def phantom_name(phantom_id: str, language: str = "en") -> str:
    en, zh = PHANTOMS.get(phantom_id, (phantom_id.replace("_", " "), phantom_id))
    return zh if _zh(language) else en
