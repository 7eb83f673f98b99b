"""Messages of `field.exports.dossier`: zh and en for each key it raises or shows."""

MESSAGES: dict[str, dict[str, str]] = {
    "dossier.not_found": {"zh": "记录 {ref} 不存在。", "en": "Record {ref} does not exist."},
    "dossier.empty_case": {
        "zh": "交办件 {ref} 还没有关联的问题记录，无可导出的档案。",
        "en": "Case {ref} has no findings yet, so there is nothing to export.",
    },
    # problems found while packing, listed in the dossier's README.txt (written in Chinese)
    "dossier.problem.report_missing": {"zh": "调度材料文件缺失或与档案记录的 SHA-256 不符",
                                       "en": "Dispatch pack file missing or not matching its archived SHA-256"},
    "dossier.problem.photo_missing": {"zh": "照片原件缺失", "en": "Original photo file missing"},
    "dossier.problem.photo_altered": {
        "zh": "照片原件与登记的 SHA-256 不一致（可能被替换或改动）",
        "en": "Original photo file does not match its recorded SHA-256 (replaced or altered)",
    },
    "dossier.problem.content_changed": {
        "zh": "已签字记录的内容与签字时的内容哈希不一致",
        "en": "A signed record's content no longer matches the content hash it was signed with",
    },
    "dossier.problem.no_font": {
        "zh": "本机没有可打印中文的字体，未生成 PDF 核查验收单",
        "en": "No font that can print Chinese on this machine, so no PDF sheets were made",
    },
    # pages/records.py (kept here with the service it fronts)
    "nav.records": {"zh": "档案导出", "en": "Records"},
    "records.title": {"zh": "核查验收单与一案一档", "en": "Verification sheets and case dossiers"},
    "records.search": {"zh": "问题编号、受理编号或点位名称", "en": "Finding no., case no. or site name"},
    "records.pick": {"zh": "选择问题", "en": "Choose a finding"},
    "records.none": {"zh": "没有找到您管辖范围内的匹配问题。", "en": "No matching finding in your counties."},
    "records.more": {"zh": "仅显示前 {n} 条，请输入更具体的关键词。", "en": "Showing the first {n}; narrow the search."},
    "records.no_records": {"zh": "该问题还没有核查记录，暂无核查验收单。", "en": "No verification record yet, so no sheet."},
    "records.sheet": {"zh": "下载核查验收单（PDF）", "en": "Download sheet (PDF)"},
    "records.dossier": {"zh": "下载一案一档（ZIP）", "en": "Download dossier (ZIP)"},
    "records.case_dossier": {"zh": "下载整个交办件档案（ZIP）", "en": "Download the whole case dossier (ZIP)"},
    "records.signed": {"zh": "已签字 · {who} · {when} · 校验码 {code}", "en": "Signed · {who} · {when} · code {code}"},
    "records.returned": {"zh": "已退回 · {who} · {when}", "en": "Returned · {who} · {when}"},
    "records.unsigned": {"zh": "未签字", "en": "Not signed"},
    "records.font": {"zh": "PDF 中文字体已就绪（悬停查看字体文件）", "en": "PDF CJK font found (hover for its file)"},
    # README.txt of the dossier zip (field.exports.dossier._readme)
    'dossier.readme.head': {
        "zh": '一案一档 · 督察整改档案\n========================\n\n档案编号：{label}\n生成时间：{generated}（北京时间）\n生成人：{name}（{username}）',
        "en": 'Case dossier (一案一档)\n========================\n\nDossier: {label}\nGenerated: {generated} (Beijing time)\nBy: {name} ({username})',
    },
    'dossier.readme.batch': {
        "zh": '（第{batch}批）',
        "en": ' (batch {batch})',
    },
    'dossier.readme.case': {
        "zh": '受理编号：{case_no}{batch}',
        "en": 'Case number: {case_no}{batch}',
    },
    'dossier.readme.finding': {
        "zh": '问题 F{id}：{site} —— {description}',
        "en": 'Finding F{id}: {site} — {description}',
    },
    'dossier.readme.body': {
        "zh": '\n一、目录内容\n  README.txt        本说明。\n  records.json      全部记录数据（UTF-8 JSON）：问题、点位、交办件、核查记录、签字记录\n                    （含内容哈希 content_hash、前序哈希 prev_hash、链哈希 chain_hash）、\n                    每张照片的登记信息（SHA-256、拍摄时间、位置、证据提示）和操作日志。\n  SHA256SUMS.txt    本档案中每张照片原件的 SHA-256 校验值清单。\n  sheets/           核查验收单 PDF，每条核查/复查记录一份，文件名含问题编号 F、记录编号 V、\n                    签字编号 S。未签字的记录在单上标注“未签字”。\n  photos/F<编号>/   照片原件，与上传时逐字节相同（未压缩、未去除 EXIF）。文件名为\n                    “类型_SHA-256 前 16 位.原扩展名”，类型 before = 整改前，after = 整改后。\n\n二、如何核对照片原件未被改动\n  照片文件的 SHA-256 应与文件名中的前 16 位、SHA256SUMS.txt 及 records.json 中登记的值一致。\n  Windows（命令提示符）： certutil -hashfile 照片文件名 SHA256\n  Windows（PowerShell）：  Get-FileHash 照片文件名 -Algorithm SHA256\n  macOS：                 shasum -a 256 照片文件名\n  Linux：                 sha256sum -c SHA256SUMS.txt   （在本档案根目录执行，逐个显示 OK）\n  计算结果（64 位十六进制，不区分大小写）与登记值完全相同，即证明照片未被替换或改动。\n\n三、如何核对签字记录\n  每条签字记录保存了签字时对记录内容及其照片哈希计算的内容哈希，并与前一条签字的链哈希相连。\n  核查验收单上的“校验码”为链哈希的前 12 位。在系统服务器上运行 python -m field verify\n  可重新计算全部签字链：任何记录被改动、照片被替换或缺失、链条断裂都会被指出。\n\n四、导出时发现的问题',
        "en": '\n1. Contents\n  README.txt        this note.\n  records.json      every record (UTF-8 JSON): findings, sites, the case, verification records, sign-offs\n                    (with content_hash, prev_hash and chain_hash), each photo\'s registration\n                    (SHA-256, capture time, place, evidence notes) and the audit history.\n  SHA256SUMS.txt    the SHA-256 of every original photo in this dossier.\n  sheets/           the verification sheets (PDF), one per verification or re-check record; the file\n                    name carries the finding F, record V and sign-off S numbers. Unsigned records say so.\n  photos/F<number>/ the original photos, byte for byte as uploaded (not recompressed, EXIF kept),\n                    named "kind_first 16 hex digits of the SHA-256.original extension" (before/after).\n\n2. Checking that an original photo was not changed\n  A photo\'s SHA-256 must equal the 16 digits in its name, SHA256SUMS.txt and records.json.\n  Windows (cmd):         certutil -hashfile PHOTO SHA256\n  Windows (PowerShell):  Get-FileHash PHOTO -Algorithm SHA256\n  macOS:                 shasum -a 256 PHOTO\n  Linux:                 sha256sum -c SHA256SUMS.txt   (run in this folder; each line says OK)\n  The same 64 hexadecimal digits (case does not matter) prove the photo was not replaced or edited.\n\n3. Checking the sign-offs\n  Each sign-off keeps a hash of the record and its photos taken when it was signed, chained to the\n  previous sign-off. The sheet\'s check code is the first 12 digits of the chain hash. Running\n  python -m field verify on the server recomputes the whole chain and names any changed record,\n  replaced or missing photo and broken link.\n\n4. Problems found during the export',
    },
    'dossier.readme.problem': {
        "zh": '  ！{problem}：{where}',
        "en": '  ! {problem}: {where}',
    },
    'dossier.readme.no_problems': {
        "zh": '  无。照片原件均与登记的 SHA-256 一致，已签字记录的内容哈希均与签字时一致。',
        "en": '  None. Every original photo matches its registered SHA-256 and every signed record its hash at signing.',
    },
}
