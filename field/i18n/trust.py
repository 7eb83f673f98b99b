"""Signing keys, checkpoints and what `python -m field verify` reports about them."""

MESSAGES: dict[str, dict[str, str]] = {
    "signing.no_key": {
        "zh": "找不到签名密钥 {path}，无法签字。请管理员运行 python -m field keygen 或恢复密钥文件（FIELD_SIGNING_KEY_FILE）。",
        "en": "The signing key {path} is missing, so nothing can be signed. An admin must run "
              "`python -m field keygen` or restore the key file (FIELD_SIGNING_KEY_FILE)."},
    "signing.bad_key": {
        "zh": "签名密钥 {path} 无法读取或不是 Ed25519 私钥，无法签字。请恢复正确的密钥文件。",
        "en": "The signing key {path} cannot be read or is not an Ed25519 private key; restore the right key file."},
    "signing.key_exists": {
        "zh": "签名密钥 {path} 已存在；更换密钥请加 --rotate（旧公钥保留在密钥环中）。",
        "en": "The signing key {path} already exists; use --rotate to replace it (the old public key stays in the keyring)."},
    "signing.no_keyring": {
        "zh": "找不到公钥密钥环 {path}，无法核验签名。",
        "en": "The public keyring {path} is missing or empty, so signatures cannot be checked."},
    "signing.bad_keyring": {
        "zh": "公钥密钥环 {path} 已损坏。", "en": "The public keyring {path} is damaged."},
    "signing.not_configured": {
        "zh": "本会话未配置签名密钥（请通过应用运行时打开数据库）。",
        "en": "No signing key is configured for this session (open the database through the app runtime)."},
    "signoff.record_tampered": {
        "zh": "该核查记录在提交后被改动（签名不符），不能签字。请联系管理员运行 python -m field verify。",
        "en": "This record was changed after it was written (its signature does not match) and cannot be signed; "
              "ask an admin to run `python -m field verify`."},
    "verify.unsigned": {"zh": "记录缺少签名", "en": "a record has no signature"},
    "verify.unsigned_legacy": {"zh": "启用签名之前的记录，未签名（仅提示）",
                               "en": "record from before signatures existed, unsigned (warning only)"},
    "verify.unknown_key": {"zh": "签名所用密钥不在公钥密钥环中", "en": "signed with a key that is not in the keyring"},
    "verify.signature_invalid": {"zh": "签名无效：已签内容被改动或伪造",
                                 "en": "invalid signature: signed content was changed or forged"},
    "verify.county_changed": {"zh": "已签字问题的点位被改到其他区县", "en": "a signed site was moved to another county"},
    "verify.status_unaudited": {"zh": "问题状态被绕过审计修改", "en": "a finding's status was changed without an audited move"},
    "verify.checkpoint_log_broken": {"zh": "检查点日志缺失或损坏", "en": "the checkpoint log is missing or damaged"},
    "verify.checkpoint_invalid": {"zh": "检查点签名无效", "en": "a checkpoint's signature is invalid"},
    "verify.no_checkpoint": {
        "zh": "已有签字但没有检查点（升级后请运行一次 python -m field checkpoint）",
        "en": "there are sign-offs but no checkpoint (after upgrading, run `python -m field checkpoint` once)"},
    "verify.truncated": {"zh": "签字链末尾被删除（少于检查点记录的数量）",
                         "en": "sign-offs were deleted from the end of the chain (fewer than a checkpoint recorded)"},
    "verify.chain_inserted": {"zh": "检查点之前被插入了签字", "en": "sign-offs were inserted below a checkpoint"},
    "verify.head_mismatch": {"zh": "签字链与检查点记录的链头不一致（链被改写）",
                             "en": "the chain differs from the head a checkpoint recorded (the chain was rewritten)"},
    "verify.audit_deleted": {"zh": "已纳入检查点的审计记录被删除", "en": "checkpointed audit rows were deleted"},
    "verify.audit_changed": {"zh": "已纳入检查点的审计记录被改动", "en": "checkpointed audit rows were edited"},
    "verify.audit_inserted": {"zh": "检查点范围内被插入了审计记录", "en": "audit rows were inserted below a checkpoint"},
    "cli.verify_summary": {
        "zh": "已核验 {signoffs} 条签字、{records} 条核查记录、{checkpoints} 个检查点；{problems} 个问题，{warnings} 个提示",
        "en": "checked {signoffs} sign-offs, {records} records, {checkpoints} checkpoints; "
              "{problems} problems, {warnings} warnings"},
    "cli.checkpoint_written": {"zh": "已写入检查点 {cp}", "en": "checkpoint written: {cp}"},
    "cli.key_created": {"zh": "签名密钥已生成：{path}（密钥编号 {kid}），公钥：{keyring}",
                        "en": "signing key written to {path} (key id {kid}); public keys: {keyring}"},
    "cli.key_exported": {"zh": "公钥密钥环已导出到 {out}", "en": "public keyring exported to {out}"},
    "sheet.checkpoint": {"zh": "链头检查点", "en": "Chain checkpoint"},
    "sheet.checkpoint_none": {"zh": "尚无检查点", "en": "no checkpoint yet"},
}
