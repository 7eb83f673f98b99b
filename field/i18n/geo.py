"""Messages of `field.geo`: zh and en for each key it raises or shows."""

MESSAGES: dict[str, dict[str, str]] = {
    # The axis in the coord.* sentences: passed as an i18n.CatalogKey, so each language uses its own word.
    "coord.axis.lon": {"zh": "经度", "en": "longitude"},
    "coord.axis.lat": {"zh": "纬度", "en": "latitude"},
    "coord.empty": {
        "zh": "请输入{axis}。",
        "en": "Please enter the {axis}.",
    },
    "coord.unparseable": {
        "zh": "无法识别的{axis}：“{text}”。请使用十进制度（如 116.8386）或度分秒（如 116°50′19″）。",
        "en": "Cannot read the {axis} \"{text}\". Use decimal degrees (e.g. 116.8386) "
        "or degrees-minutes-seconds (e.g. 116°50'19\").",
    },
    "coord.bad_axis": {
        "zh": "内部错误：未知坐标轴“{axis}”（应为 lon 或 lat）。",
        "en": "Internal error: unknown axis \"{axis}\" (expected lon or lat).",
    },
    "coord.hemisphere_axis": {
        "zh": "“{text}”中的方位“{hemisphere}”不适用于{axis}。",
        "en": "The hemisphere \"{hemisphere}\" in \"{text}\" does not fit a {axis}.",
    },
    "coord.sign_conflict": {
        "zh": "“{text}”同时带有负号和方位字母，含义不明确。",
        "en": "\"{text}\" has both a minus sign and a hemisphere letter; the meaning is ambiguous.",
    },
    "coord.minutes_range": {
        "zh": "“{text}”中的分值 {value} 应小于 60。",
        "en": "The minutes value {value} in \"{text}\" must be below 60.",
    },
    "coord.seconds_range": {
        "zh": "“{text}”中的秒值 {value} 应小于 60。",
        "en": "The seconds value {value} in \"{text}\" must be below 60.",
    },
    "coord.out_of_range": {
        "zh": "{axis} {value} 超出范围（{low} 至 {high}）。",
        "en": "The {axis} {value} is out of range ({low} to {high}).",
    },
    "coord.not_a_number": {
        "zh": "{axis}不是有效数字：{value}。",
        "en": "The {axis} is not a valid number: {value}.",
    },
    "geo.boundaries_missing": {
        "zh": "缺少行政区划边界数据：{path}。请运行 geodata/build.py --adcode {adcode} 生成。",
        "en": "County boundary data is missing: {path}. Run geodata/build.py --adcode {adcode} to build it.",
    },
    "geo.no_city": {
        "zh": "未设置城市：请设置 FIELD_CITY_ADCODE（如 130900）。",
        "en": "No city is configured: set FIELD_CITY_ADCODE (e.g. 130900).",
    },
    "geo.boundaries_invalid": {
        "zh": "行政区划边界数据无效：{path}（{reason}）。",
        "en": "County boundary data is invalid: {path} ({reason}).",
    },
}
