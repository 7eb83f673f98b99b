"""Messages of `field.photos`: zh and en for each key it raises or shows."""

MESSAGES: dict[str, dict[str, str]] = {
    "photo.empty": {
        "zh": "照片“{name}”是空文件（0 字节）",
        "en": "Photo “{name}” is empty (0 bytes)",
    },
    "photo.too_large": {
        "zh": "照片“{name}”大小为 {size_mb} MB，超过上限 {max_mb} MB",
        "en": "Photo “{name}” is {size_mb} MB, more than the limit of {max_mb} MB",
    },
    "photo.not_image": {
        "zh": "文件“{name}”不是可识别的图片，请上传 JPEG、PNG 或 HEIC 照片",
        "en": "File “{name}” is not a recognisable image; upload a JPEG, PNG or HEIC photo",
    },
    "photo.unsupported_format": {
        "zh": "照片“{name}”的格式 {format} 不受支持，请上传 JPEG、PNG 或 HEIC 照片",
        "en": "Photo “{name}” is in {format} format, which is not supported; use JPEG, PNG or HEIC",
    },
    "photo.decompression_bomb": {
        "zh": "照片“{name}”像素过多（约 {megapixels} 百万像素），上限为 {max_mp} 百万像素；请用手机默认模式拍摄",
        "en": "Photo “{name}” has too many pixels (about {megapixels} megapixels; the limit is {max_mp}). "
        "Use the phone's default camera mode",
    },
    "photo.truncated": {
        "zh": "照片“{name}”不完整（文件被截断），可能上传中断；请重新上传原始照片",
        "en": "Photo “{name}” is incomplete (truncated), perhaps an interrupted upload; upload the original again",
    },
    "photo.corrupt": {
        "zh": "照片“{name}”已损坏，无法完整解码；请从拍摄设备重新导出原始照片",
        "en": "Photo “{name}” is damaged and cannot be fully decoded; export the original from the device again",
    },
    "photo.far_from_site": {
        "zh": "拍摄位置距现场 {distance}",
        "en": "Photo taken {distance} from the site",
    },
    "photo.time_far_from_visit": {
        "zh": "拍摄时间与现场核查时间相差 {span}",
        "en": "Photo taken {span} away from the visit time",
    },
    "photo.no_gps": {
        "zh": "照片没有 GPS 位置信息，无法核对拍摄地点",
        "en": "Photo has no GPS location, so where it was taken cannot be checked",
    },
    "photo.no_time": {
        "zh": "照片没有拍摄时间信息，无法核对拍摄时间",
        "en": "Photo has no capture time, so when it was taken cannot be checked",
    },
    "photos.orphans": {
        "zh": "有 {count} 个照片文件没有任何记录引用（多为中断的上传留下）；运行 python -m field gc 清理。",
        "en": "{count} photo files are referred to by no record (left by interrupted uploads); run python -m field gc to remove them.",
    },
    "photos.gc_done": {"zh": "已删除 {count} 个无引用的照片文件。", "en": "Removed {count} unreferenced photo files."},
    "photos.gc_dry": {"zh": "将删除 {count} 个无引用的照片文件。", "en": "Would remove {count} unreferenced photo files."},
}
