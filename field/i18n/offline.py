"""Messages of importing offline exports (`field.odk.offline`, `python -m field import-offline`,
pages/offline.py): zh and en for each key."""

MESSAGES: dict[str, dict[str, str]] = {
    "offline.empty": {"zh": "文件“{name}”是空的。未导入任何数据。", "en": "“{name}” is empty. Nothing was imported."},
    "offline.too_big": {"zh": "文件“{name}”超过 {max_mb} MB，未导入。", "en": "“{name}” is larger than {max_mb} MB: not imported."},
    "offline.unknown_format": {
        "zh": "无法识别“{name}”：请上传 ODK Central 的 CSV 压缩包（.zip）、KoboToolbox 导出的 XLSX/CSV，"
              "或 QField 的 GeoPackage（.gpkg，或含 DCIM 文件夹的项目 .zip）。未导入任何数据。",
        "en": "“{name}” is not recognised: upload ODK Central's CSV zip, a KoboToolbox XLSX/CSV export, or a "
              "QField GeoPackage (.gpkg, or the project folder as a .zip with DCIM). Nothing was imported."},
    "offline.not_text": {"zh": "“{name}”不是 UTF-8 或 GB18030 编码的文本表格。",
                         "en": "“{name}” is not a UTF-8 or GB18030 text table."},
    "offline.not_zip": {"zh": "“{name}”不是完整的 zip 压缩包（可能下载中断），未导入。",
                        "en": "“{name}” is not a complete zip file (an interrupted download?): not imported."},
    "offline.too_many_files": {"zh": "压缩包内文件过多（上限 {max} 个）。", "en": "The zip holds too many files (limit {max})."},
    "offline.too_many_rows": {"zh": "一次最多导入 {max} 条记录，请分批导出。",
                              "en": "At most {max} submissions per import: export in parts."},
    "offline.missing_columns": {
        "zh": "“{name}”缺少 {tool} 导出应有的列：{columns}。请确认导出的是 field_finding 表单（XML 值与表头）。未导入任何数据。",
        "en": "“{name}” lacks columns a {tool} export of the form has: {columns}. Export the field_finding form "
              "(XML values and headers). Nothing was imported."},
    "offline.no_key": {"zh": "第 {row} 行没有提交编号（instanceID），无法防止重复导入，已跳过。",
                       "en": "Row {row} has no instanceID, so a re-import could not be recognised: skipped."},
    "offline.rejected_in_tool": {"zh": "该提交已在 {tool} 中被审核拒绝，未导入。",
                                 "en": "This submission was rejected in {tool}: not imported."},
    "offline.central_no_main": {
        "zh": "“{name}”中应有一个含 SubmissionDate 列的主表 CSV（找到 {n} 个）。请使用 ODK Central 的“下载 CSV（zip）”。",
        "en": "“{name}” should hold one main CSV with a SubmissionDate column (found {n}): use ODK Central's "
              "CSV (zip) download."},
    "offline.export_without_media": {
        "zh": "导出文件中没有照片附件：请在 {tool} 中连同媒体文件一起导出；缺照片的记录将进入待审核。",
        "en": "The export has no photo files: export from {tool} with media; submissions missing photos go to review."},
    "offline.media_missing": {"zh": "照片 {name} 不在导出文件中。", "en": "The photo {name} is not in the export."},
    "offline.broken_media": {"zh": "照片 {name} 在压缩包中已损坏。", "en": "The photo {name} is damaged in the zip."},
    "offline.media_too_big": {"zh": "照片 {name} 超过 {max_mb} MB。", "en": "The photo {name} is larger than {max_mb} MB."},
    "offline.not_gpkg": {"zh": "“{name}”不是可读取的 GeoPackage。", "en": "“{name}” is not a readable GeoPackage."},
    "offline.qfield_no_layer": {"zh": "“{name}”中没有点图层。", "en": "“{name}” has no point layer."},
    "offline.qfield_packages": {"zh": "压缩包“{name}”中应正好有一个 .gpkg 文件（找到 {n} 个）。",
                                "en": "The zip “{name}” should hold exactly one .gpkg (found {n})."},
    "offline.qfield_no_uuid": {
        "zh": "图层 {layer} 没有 uuid 字段：未修改的要素重复导入不会重复登记，但修改过的要素会被当作新记录。",
        "en": "Layer {layer} has no uuid field: an unchanged feature imports once, but an edited one would import "
              "again as new."},
    "offline.outcome.new": {"zh": "新登记", "en": "New finding"},
    "offline.outcome.exists": {"zh": "已导入过", "en": "Already imported"},
    "offline.outcome.review": {"zh": "待审核", "en": "To review"},
    "offline.outcome.rejected": {"zh": "已被退回", "en": "Rejected earlier"},
    "offline.outcome.skip": {"zh": "未导入", "en": "Not imported"},
    "offline.col.row": {"zh": "行", "en": "Row"},
    "offline.col.key": {"zh": "提交编号", "en": "Instance ID"},
    "offline.col.site": {"zh": "点位名称", "en": "Site"},
    "offline.col.photos": {"zh": "照片数", "en": "Photos"},
    "offline.col.outcome": {"zh": "处理", "en": "Outcome"},
    "offline.col.finding": {"zh": "问题编号", "en": "Finding"},
    "offline.col.reason": {"zh": "原因与提示", "en": "Reason and notes"},
    "offline.summary": {"zh": "{source}：共 {rows} 条，新登记 {new}，已导入过 {exists}，待审核 {review}，未导入 {skip}。",
                        "en": "{source}: {rows} rows, {new} new, {exists} already imported, {review} to review, "
                              "{skip} not imported."},
    "offline.source.central": {"zh": "ODK Central 导出", "en": "ODK Central export"},
    "offline.source.kobo": {"zh": "KoboToolbox 导出", "en": "KoboToolbox export"},
    "offline.source.qfield": {"zh": "QField GeoPackage", "en": "QField GeoPackage"},
    "offline.ui.title": {"zh": "导入离线数据", "en": "Import offline data"},
    "offline.ui.intro": {
        "zh": "上传 ODK Central、KoboToolbox 或 QField 导出的数据。先预览，确认后导入；同一文件重复导入不会重复登记。",
        "en": "Upload an export from ODK Central, KoboToolbox or QField. Preview first, then import; importing "
              "the same file again records nothing twice."},
    "offline.ui.file": {"zh": "导出文件（.zip / .xlsx / .csv / .gpkg）", "en": "Export file (.zip / .xlsx / .csv / .gpkg)"},
    "offline.ui.attachments": {"zh": "附件压缩包（KoboToolbox 媒体附件，或 QField 的 DCIM 文件夹，可选）",
                               "en": "Attachments zip (KoboToolbox media, or QField's DCIM folder; optional)"},
    "offline.ui.preview": {"zh": "预览", "en": "Preview"},
    "offline.ui.import": {"zh": "确认导入", "en": "Import"},
    "offline.ui.done": {"zh": "导入完成。", "en": "Imported."},
    "nav.offline": {"zh": "离线数据导入", "en": "Offline import"},
}
